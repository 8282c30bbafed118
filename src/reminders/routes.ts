import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../http/errors.js';
import { PARSE_ERROR } from './parse.js';
import type { ReminderService } from './service.js';

const tags = ['reminders'];
const createBody = z.object({ message: z.string().min(1).max(5000) });
const idParams = z.object({ id: z.string() });

/** Notes to the owner's own chat: the `chat` scope. */
const config = { scope: ['chat'] } as const;

/** Spec §3.14 (versioned only). */
export function registerReminderRoutes(app: FastifyInstance, reminders: ReminderService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/reminders', { config, schema: { tags, summary: 'Pending reminders, soonest first' } }, async () => ({ reminders: reminders.list() }));
  r.post('/api/v1/reminders', { config, schema: { tags, summary: 'Add a reminder from a phrase such as "call mom in 10 minutes"', body: createBody } }, async (req) => {
    const reminder = reminders.add(req.body.message);
    if (!reminder) throw new HttpError(400, PARSE_ERROR);
    return { reminder };
  });
  r.delete('/api/v1/reminders/:id', { config, schema: { tags, summary: 'Delete a reminder', params: idParams } }, async (req) => {
    if (!reminders.delete(req.params.id)) throw new HttpError(404, 'Reminder not found');
    return { id: req.params.id, deleted: true };
  });
}
