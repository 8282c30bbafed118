import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, cliEnv, ROOT, runCli } from '../cli/cli.js';
// @ts-expect-error: a plain ES module without types
import { buildServer } from '../../scripts/build-server.mjs';

/**
 * Start-up loads only what answering requests needs (issue 14): the model providers, the
 * channel libraries, the docs UI, web page parsing, archives and the dashboard's build tool load
 * on first use. The real CLI runs under a loader hook (record-packages.mjs) that writes down
 * every package the process resolves (and, for the built server, every package bundled into a
 * chunk it loads); a regression that imports one of these at start-up fails. Both ways the CLI
 * runs are checked: the build (scripts/build-server.mjs, made here if stale) and tsx.
 */
const NOT_AT_START = [
  'ai', '@ai-sdk/anthropic', '@ai-sdk/openai', '@ai-sdk/openai-compatible', '@modelcontextprotocol/sdk',
  '@fastify/swagger', '@fastify/swagger-ui', '@fastify/static', 'qrcode',
  'vite', 'grammy', 'discord.js', '@slack/bolt', 'linkedom', '@mozilla/readability', 'tar', 'yauzl',
];
/** Nor does `sessions list` load the server's framework, its logger, the WebSocket library or the scheduler. */
const NOT_FOR_LIST = ['fastify', 'pino', 'ws', 'ajv', 'yaml', '@fastify/swagger', 'croner'];
const HOOK = path.join(ROOT, 'test', 'footprint', 'record-packages.mjs');

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
beforeAll(async () => {
  await buildServer({ quiet: true });
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-footprint-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function loaded(file: string): Set<string> {
  return new Set(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean));
}

describe.each(['built', 'tsx'])('what start-up loads (%s)', (runner) => {
  it('the API server answers health without loading the providers, the docs UI, the channels or the build tools', async () => {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const record = path.join(tmp, `serve-${runner}.txt`);
    fs.writeFileSync(record, '');
    const child = spawn(process.execPath, ['--import', HOOK, BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: ROOT, env: cliEnv(home, { FOOTPRINT_RECORD: record, POCKETPAW_RUNNER: runner }), stdio: ['ignore', 'pipe', 'pipe'],
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
      // Loaded on first use, and they work: the OpenAPI document and the docs UI.
      const openapi = await fetch(`${base}/api/v1/openapi.json`);
      expect(openapi.status).toBe(200);
      expect(Object.keys(((await openapi.json()) as { paths: object }).paths)).toContain('/api/v1/sessions/{id}/title');
      expect(loaded(record)).toContain('@fastify/swagger');
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
    const record = path.join(tmp, `list-${runner}.txt`);
    fs.writeFileSync(record, '');
    const r = await runCli(['sessions', 'list'], home, { NODE_OPTIONS: `--import ${HOOK}`, FOOTPRINT_RECORD: record, POCKETPAW_RUNNER: runner });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 of 0 sessions');
    const packages = loaded(record);
    expect(packages).toContain('better-sqlite3');
    expect([...NOT_AT_START, ...NOT_FOR_LIST].filter((p) => packages.has(p))).toEqual([]);
  });
});
