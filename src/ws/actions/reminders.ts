import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import { PARSE_ERROR } from '../../reminders/parse.js';
import { str } from './fields.js';
import { action, type WsActions } from './types.js';

/** Reminders over the socket (spec §4.3), backed by `reminders.json`: notes to the owner's chat, `chat` scope. */
export const reminderActions: WsActions = {
  get_reminders: action(['chat'], (_frame, conn) => {
    conn.send({ type: 'reminders', reminders: conn.ctx.reminders.list() });
  }),
  add_reminder: action(['chat'], (frame, conn) => {
    const reminder = conn.ctx.reminders.add(str(frame.message));
    if (!reminder) throw new InvalidInputError(PARSE_ERROR);
    conn.send({ type: 'reminder_added', reminder });
  }),
  delete_reminder: action(['chat'], (frame, conn) => {
    const id = str(frame.id);
    if (!conn.ctx.reminders.delete(id)) throw new NotFoundError('Reminder not found');
    conn.send({ type: 'reminder_deleted', id });
  }),
};
