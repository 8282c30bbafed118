import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import { isObject, str } from './fields.js';
import { DEFAULT_TRIGGER, UPDATABLE, type IntentionUpdate } from '../../intentions/service.js';
import { action, type WsActions } from './types.js';

function found<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new NotFoundError('Intention not found');
  return value;
}

/** Input the service refuses, in PocketPaw's words (`Failed to create intention: …`). */
function withPrefix<T>(prefix: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof InvalidInputError) throw new InvalidInputError(`${prefix}${err.message}`);
    throw err;
  }
}

/** Only well-typed fields of an `updates` object; anything else is ignored. */
function cleanUpdates(raw: unknown): IntentionUpdate {
  const out: IntentionUpdate = {};
  if (!isObject(raw)) return out;
  for (const key of UPDATABLE) {
    const v = raw[key];
    if (v === null || v === undefined) continue;
    if ((key === 'name' || key === 'prompt') && typeof v === 'string') out[key] = v;
    if (key === 'trigger' && isObject(v)) out.trigger = v;
    if (key === 'context_sources' && Array.isArray(v)) out.context_sources = v.map(String);
    if (key === 'enabled') out.enabled = Boolean(v);
  }
  return out;
}

/**
 * Intentions over the socket (spec §4.3), backed by `intentions.json`. An intention is a standing
 * order: the agent runs it unattended, tools and all. Reading them is `chat`; creating, changing
 * and running them is the owner's (`admin`).
 */
export const intentionActions: WsActions = {
  get_intentions: action(['chat'], (_frame, conn) => {
    conn.send({ type: 'intentions', intentions: conn.ctx.intentions.list() });
  }),
  create_intention: action(['admin'], (frame, conn) => {
    const intention = withPrefix('Failed to create intention: ', () => conn.ctx.intentions.create({
      name: str(frame.name, 'Unnamed') || 'Unnamed',
      prompt: str(frame.prompt),
      trigger: isObject(frame.trigger) ? frame.trigger : { ...DEFAULT_TRIGGER },
      context_sources: Array.isArray(frame.context_sources) ? frame.context_sources.map(String) : [],
      enabled: frame.enabled === undefined ? true : Boolean(frame.enabled),
    }));
    conn.send({ type: 'intention_created', intention });
  }),
  update_intention: action(['admin'], (frame, conn) => {
    const intention = found(conn.ctx.intentions.update(str(frame.id), cleanUpdates(frame.updates)));
    conn.send({ type: 'intention_updated', intention });
  }),
  delete_intention: action(['admin'], (frame, conn) => {
    const id = str(frame.id);
    found(conn.ctx.intentions.delete(id) || null);
    conn.send({ type: 'intention_deleted', id });
  }),
  toggle_intention: action(['admin'], (frame, conn) => {
    conn.send({ type: 'intention_toggled', intention: found(conn.ctx.intentions.toggle(str(frame.id))) });
  }),
  run_intention: action(['admin'], (frame, conn) => {
    const intention = found(conn.ctx.intentions.run(str(frame.id)));
    conn.send({ type: 'notification', content: `🚀 Running intention: ${intention.name}` });
  }),
};
