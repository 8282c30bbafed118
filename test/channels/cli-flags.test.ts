import { describe, expect, it } from 'vitest';
import { CLI_TIMEOUT, runCli } from '../cli/cli.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

describe('pocketpaw --telegram (PocketPaw\'s headless channel flags)', () => {
  it('refuses to run a channel with an empty allow list, says why and what to do, and exits 1', async () => {
    const home = tempDir();
    const res = await runCli(['--telegram', '--discord', '--port', '0'], home, {
      POCKETPAW_TELEGRAM_BOT_TOKEN: '123:abc',
      POCKETPAW_TELEGRAM_API_BASE_URL: 'http://127.0.0.1:9',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('telegram: Failed to start telegram: Telegram has no allowed user: pair your account from the dashboard');
    expect(res.stderr).toContain('discord: discord is not configured — save tokens first');
    expect(res.stderr).toContain('No channel could start');
    // The token never reaches the terminal.
    expect(res.stdout + res.stderr).not.toContain('123:abc');
  }, CLI_TIMEOUT);
});
