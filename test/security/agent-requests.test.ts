import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatTestEnv } from '../helpers/chat-server.js';
import { runTools, startToolServer } from '../tools/helpers.js';

/**
 * Requests the agent starts never get the owner's localhost bypass, even when the owner lets
 * its web tools reach private addresses: the model cannot read settings or turn plan mode off
 * through PocketPaw's own API.
 */
let env: ChatTestEnv;
beforeAll(async () => {
  env = await startToolServer({ env: { POCKETPAW_WEB_FETCH_ALLOW_PRIVATE: 'true' } });
});
afterAll(() => env.close());

describe('the agent calling the owner API', () => {
  it('url_extract on http://127.0.0.1:<own port>/api/... is refused as unauthenticated', async () => {
    const { results } = await runTools(env, [
      { name: 'url_extract', args: { url: `${env.s.url}/api/v1/settings` } },
      { name: 'url_extract', args: { url: `${env.s.url}/api/v1/sessions` } },
    ]);
    for (const r of results) {
      expect(r.content).toContain('Unauthorized');
      expect(r.content).not.toContain('tool_profile');
    }
    // The owner on this machine still gets in.
    expect((await env.s.get('/api/v1/settings')).status).toBe(200);
  });
});
