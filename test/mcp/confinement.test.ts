import { describe, expect, it } from 'vitest';
import { stdioServer, statusOf, waitConnected } from '../helpers/mcp/configs.js';
import { startTestServer } from '../helpers/server.js';

describe('stdio servers without a sandbox', () => {
  it('are refused, with the reason in their status, unless the config opts out with sandbox.none', async () => {
    const s = await startTestServer({ env: { POCKETPAW_SANDBOX: 'off' } });
    try {
      await s.post('/api/v1/mcp/add', stdioServer('confined'));
      let st: Record<string, any> | undefined;
      for (let i = 0; i < 100 && !(st = await statusOf(s, 'confined'))?.error; i++) await new Promise((r) => setTimeout(r, 50));
      expect(st).toMatchObject({ connected: false, enabled: true });
      expect(st!.error).toMatch(/^Not started: stdio servers run confined and the sandbox is unavailable \(the sandbox is turned off/);
      expect(st!.error).toContain('"sandbox": {"none": true}');
      await s.post('/api/v1/mcp/add', stdioServer('unconfined', { sandbox: { none: true } }));
      expect(await waitConnected(s, 'unconfined')).toMatchObject({ connected: true, tool_count: 8 });
      expect(await s.server.ctx.mcp.call('unconfined', 'echo', { text: 'x' })).toBe('echo: x');
      // Still only the allowlisted environment.
      const names = (await s.server.ctx.mcp.call('unconfined', 'env', {})).split(',');
      expect(names.filter((n) => n.startsWith('POCKETPAW'))).toEqual([]);
    } finally {
      await s.close();
    }
  }, 30_000);

  it('a granted folder holding the data dir is refused', async () => {
    const s = await startTestServer();
    try {
      await s.post('/api/v1/mcp/add', stdioServer('nosy', { sandbox: { folders: ['/tmp'] } }));
      let st: Record<string, any> | undefined;
      for (let i = 0; i < 100 && !(st = await statusOf(s, 'nosy'))?.error; i++) await new Promise((r) => setTimeout(r, 50));
      expect(st!.error).toMatch(/sandbox folder "\/tmp" holds or is inside the data dir/);
    } finally {
      await s.close();
    }
  }, 30_000);
});
