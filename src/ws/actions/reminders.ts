import { str } from '../../compat/ws.js';
import { PARSE_ERROR } from '../../reminders/parse.js';
import { action, type WsActions } from './types.js';

const failed = (err: unknown) => ({ type: 'error', content: (err as Error)?.message ?? String(err) });

/** Reminders over the socket (spec §4.3), backed by `reminders.json`: notes to the owner's chat, `chat` scope. */
export const reminderActions: WsActions = {
  get_reminders: action(['chat'], (_frame, conn) => {
    try {
      conn.send({ type: 'reminders', reminders: conn.ctx.reminders.list() });
    } catch (err) {
      conn.send(failed(err));
    }
  }),
  add_reminder: action(['chat'], (frame, conn) => {
    try {
      const reminder = conn.ctx.reminders.add(str(frame.message));
      conn.send(reminder ? { type: 'reminder_added', reminder } : { type: 'error', content: PARSE_ERROR });
    } catch (err) {
      conn.send(failed(err));
    }
  }),
  delete_reminder: action(['chat'], (frame, conn) => {
    const id = str(frame.id);
    try {
      const deleted = conn.ctx.reminders.delete(id);
      conn.send(deleted ? { type: 'reminder_deleted', id } : { type: 'error', content: 'Reminder not found' });
    } catch (err) {
      conn.send(failed(err));
    }
  }),
};
