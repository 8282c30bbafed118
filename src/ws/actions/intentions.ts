import { str } from '../../compat/ws.js';
import { DEFAULT_TRIGGER, UPDATABLE, type IntentionUpdate } from '../../intentions/service.js';
import { action, type WsActions } from './types.js';

const NOT_FOUND = { type: 'error', content: 'Intention not found' };
const failed = (err: unknown) => ({ type: 'error', content: (err as Error)?.message ?? String(err) });
const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

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
    try {
      conn.send({ type: 'intentions', intentions: conn.ctx.intentions.list() });
    } catch (err) {
      conn.send(failed(err));
    }
  }),
  create_intention: action(['admin'], (frame, conn) => {
    try {
      const intention = conn.ctx.intentions.create({
        name: str(frame.name, 'Unnamed') || 'Unnamed',
        prompt: str(frame.prompt),
        trigger: isObject(frame.trigger) ? frame.trigger : { ...DEFAULT_TRIGGER },
        context_sources: Array.isArray(frame.context_sources) ? frame.context_sources.map(String) : [],
        enabled: frame.enabled === undefined ? true : Boolean(frame.enabled),
      });
      conn.send({ type: 'intention_created', intention });
    } catch (err) {
      conn.send({ type: 'error', content: `Failed to create intention: ${(err as Error).message}` });
    }
  }),
  update_intention: action(['admin'], (frame, conn) => {
    try {
      const intention = conn.ctx.intentions.update(str(frame.id), cleanUpdates(frame.updates));
      conn.send(intention ? { type: 'intention_updated', intention } : NOT_FOUND);
    } catch (err) {
      conn.send(failed(err));
    }
  }),
  delete_intention: action(['admin'], (frame, conn) => {
    const id = str(frame.id);
    try {
      conn.send(conn.ctx.intentions.delete(id) ? { type: 'intention_deleted', id } : NOT_FOUND);
    } catch (err) {
      conn.send(failed(err));
    }
  }),
  toggle_intention: action(['admin'], (frame, conn) => {
    try {
      const intention = conn.ctx.intentions.toggle(str(frame.id));
      conn.send(intention ? { type: 'intention_toggled', intention } : NOT_FOUND);
    } catch (err) {
      conn.send(failed(err));
    }
  }),
  run_intention: action(['admin'], (frame, conn) => {
    try {
      const intention = conn.ctx.intentions.run(str(frame.id));
      conn.send(intention ? { type: 'notification', content: `🚀 Running intention: ${intention.name}` } : NOT_FOUND);
    } catch (err) {
      conn.send(failed(err));
    }
  }),
};
