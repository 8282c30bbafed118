import { describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidInputError, NotFoundError, UnavailableError } from '../../src/lib/errors.js';
import { errorContent, SERVER_FAILURE } from '../../src/ws/errors.js';
import { startTestServer } from '../helpers/server.js';

describe('domain errors, mapped once per transport', () => {
  it('WebSocket: a domain error keeps its words; anything else is a bug and shows no internals', () => {
    for (const err of [new InvalidInputError('Title is required'), new NotFoundError('Reminder not found'), new ForbiddenError('needs admin'), new UnavailableError('x.json is not valid JSON')]) {
      expect(errorContent(err)).toEqual({ content: err.message, bug: false });
    }
    const leaky = new Error('SQLITE_CORRUPT: database disk image is malformed at /home/owner/.pocketpaw/pocketpaw.db');
    expect(errorContent(leaky)).toEqual({ content: SERVER_FAILURE, bug: true });
    expect(errorContent('a thrown string')).toEqual({ content: SERVER_FAILURE, bug: true });
    expect(SERVER_FAILURE).not.toMatch(/SQLITE|home|pocketpaw\.db/);
  });

  it('HTTP: not found is 404, invalid input 400, with the message as detail', async () => {
    const s = await startTestServer();
    try {
      const missing = await s.post('/api/sessions/websocket_nope/title', { title: 'x' });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ detail: 'Session not found' });
      const empty = await s.post('/api/sessions/websocket_nope/title', { title: '   ' });
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({ detail: 'Title is required' });
      const format = await s.get('/api/memory/session/export?id=websocket_nope&format=pdf');
      expect(format.status).toBe(400);
      expect(format.body).toEqual({ detail: "Format must be 'json' or 'md'" });
    } finally {
      await s.close();
    }
  });
});
