import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cliEnv, ROOT, runCli } from '../cli/cli.js';

/**
 * Start-up loads only what answering requests needs (issue 14): the model providers, the
 * channel libraries, the docs UI, web page parsing, archives and the dashboard's build tool load
 * on first use. The real CLI runs under a loader hook (record-packages.mjs) that writes down
 * every package the process resolves; a regression that imports one of these at start-up fails.
 */
const NOT_AT_START = [
  'ai', '@ai-sdk/anthropic', '@ai-sdk/openai', '@ai-sdk/openai-compatible', '@modelcontextprotocol/sdk', '@fastify/swagger-ui', '@fastify/static', 'qrcode',
  'vite', 'grammy', 'discord.js', '@slack/bolt', 'linkedom', '@mozilla/readability', 'tar', 'yauzl',
];
const HOOK = path.join(ROOT, 'test', 'footprint', 'record-packages.mjs');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-footprint-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function loaded(file: string): Set<string> {
  return new Set(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean));
}

describe('what start-up loads', () => {
  it('the API server answers health without loading the providers, the docs UI, the channels or the build tools', async () => {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const record = path.join(tmp, 'serve.txt');
    fs.writeFileSync(record, '');
    const child = spawn(process.execPath, ['--import', HOOK, BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: ROOT, env: cliEnv(home, { FOOTPRINT_RECORD: record }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      let out = '';
      const base = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = / on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        void exited.then(() => reject(new Error(`the server exited: ${out}`)));
      });
      const health = await fetch(`${base}/api/v1/health`);
      expect(health.status).toBe(200);
      const packages = loaded(record);
      // The hook saw the start: the server's own framework is there.
      expect(packages).toContain('fastify');
      expect(NOT_AT_START.filter((p) => packages.has(p))).toEqual([]);
      // Loaded on first use, and it works: the docs UI.
      const docs = await fetch(`${base}/api/v1/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger');
      expect(loaded(record)).toContain('@fastify/swagger-ui');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('`sessions list` does not load the HTTP server, the providers or the channels', async () => {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const record = path.join(tmp, 'list.txt');
    fs.writeFileSync(record, '');
    const r = await runCli(['sessions', 'list'], home, { NODE_OPTIONS: `--import ${HOOK}`, FOOTPRINT_RECORD: record });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 of 0 sessions');
    const packages = loaded(record);
    expect(packages).toContain('better-sqlite3');
    expect([...NOT_AT_START, 'fastify'].filter((p) => packages.has(p))).toEqual([]);
  });
});
