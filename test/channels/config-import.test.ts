import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importConfig } from '../../src/import/config.js';
import { loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

/** A PocketPaw config.json with its channel settings, as PocketPaw writes them (ids as bare numbers). */
const THEIRS = `{
  "telegram_bot_token": "123456:telegram-secret",
  "allowed_user_id": 987654321,
  "discord_bot_token": "discord-secret",
  "discord_allowed_guild_ids": [1234567890123456789],
  "discord_allowed_user_ids": [1029384756102938475, 42],
  "slack_allowed_channel_ids": ["C0123"],
  "whatsapp_mode": "business",
  "whatsapp_allowed_phone_numbers": ["+15550100"],
  "channel_autostart": {"telegram": true, "discord": false},
  "note": "a string with 12345678901234567890 inside stays as it is"
}`;

describe('pocketpaw import brings channel settings over from config.json', () => {
  it('keeps every digit of 64-bit Discord ids, maps PocketPaw\'s names, and copies tokens into a fresh data dir only', () => {
    const source = tempDir();
    const home = tempDir();
    fs.writeFileSync(path.join(source, 'config.json'), THEIRS);
    const result = importConfig(source, home, true);
    expect(result.problems).toEqual([]);
    expect(result.secrets).toEqual(expect.arrayContaining(['telegram_bot_token', 'discord_bot_token']));
    expect(result.unknown).toEqual(['note']);
    const { settings } = loadConfig({ POCKETPAW_HOME: home });
    expect(settings.allowed_user_id).toBe('987654321');
    expect(settings.discord_allowed_guild_ids).toEqual(['1234567890123456789']);
    expect(settings.discord_allowed_user_ids).toEqual(['1029384756102938475', '42']);
    expect(settings.slack_allowed_channel_ids).toEqual(['C0123']);
    expect(settings.whatsapp_mode).toBe('business');
    expect(settings.channel_autostart).toEqual({ telegram: true, discord: false });
    expect(settings.telegram_bot_token).toBe('123456:telegram-secret');
    // The plain config file never holds a token.
    expect(fs.readFileSync(path.join(home, 'config.json'), 'utf8')).not.toContain('telegram-secret');
  });
});
