import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/pocketpaw-fixture.js';

const homes: string[] = [];
function home(config?: unknown): string {
  const dir = path.join(tempDir(), 'data');
  homes.push(path.dirname(dir));
  if (config !== undefined) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  }
  return dir;
}
afterEach(() => homes.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('configuration (spec §9, §11.7)', () => {
  it('creates the data dir owner-only and applies defaults', () => {
    const dir = home();
    const { settings } = loadConfig({ POCKETPAW_HOME: dir });
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(settings).toMatchObject({ web_host: '127.0.0.1', web_port: 8888, localhost_auth_bypass: true, session_token_ttl_hours: 24, rate_limit_api_burst: 30 });
  });

  it('reads config.json and lets the environment win over it', () => {
    const dir = home({ web_port: 9000, session_token_ttl_hours: 2, api_cors_allowed_origins: ['https://a.example'] });
    const { settings } = loadConfig({ POCKETPAW_HOME: dir, POCKETPAW_WEB_PORT: '9100', POCKETPAW_API_CORS_ALLOWED_ORIGINS: 'https://b.example, https://c.example' });
    expect(settings.web_port).toBe(9100);
    expect(settings.session_token_ttl_hours).toBe(2);
    expect(settings.api_cors_allowed_origins).toEqual(['https://b.example', 'https://c.example']);
  });

  it('reads booleans from the environment in the usual spellings', () => {
    for (const [raw, value] of [['false', false], ['0', false], ['no', false], ['TRUE', true], ['1', true]] as const) {
      expect(loadConfig({ POCKETPAW_HOME: home(), POCKETPAW_RATE_LIMIT_ENABLED: raw }).settings.rate_limit_enabled).toBe(value);
    }
  });

  it('keeps settings it does not know (a PocketPaw config.json) and reports them', () => {
    const { unknownKeys } = loadConfig({ POCKETPAW_HOME: home({ agent_backend: 'claude_agent_sdk', some_future_setting: 1 }) });
    expect(unknownKeys).toEqual(['some_future_setting']);
  });

  it('names the field and the file of an invalid value', () => {
    const dir = home({ web_port: 'eighty' });
    expect(() => loadConfig({ POCKETPAW_HOME: dir })).toThrow(ConfigError);
    expect(() => loadConfig({ POCKETPAW_HOME: dir })).toThrow(/"web_port" in .*config\.json/);
  });

  it('names the environment variable of an invalid value', () => {
    expect(() => loadConfig({ POCKETPAW_HOME: home(), POCKETPAW_WEB_PORT: 'abc' })).toThrow(/POCKETPAW_WEB_PORT/);
    expect(() => loadConfig({ POCKETPAW_HOME: home(), POCKETPAW_LOCALHOST_AUTH_BYPASS: 'maybe' })).toThrow(/POCKETPAW_LOCALHOST_AUTH_BYPASS/);
  });

  it('explains a config file that is not JSON or not an object', () => {
    expect(() => loadConfig({ POCKETPAW_HOME: home('{ web_port: 1') })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ POCKETPAW_HOME: home('[1,2]') })).toThrow(/JSON object/);
  });
});
