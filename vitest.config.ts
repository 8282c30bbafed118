import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests never see the real home folder: the server reads `~/.agents/skills`, git reads
 * `~/.gitconfig`. Each run gets an empty one of its own.
 */
const testHome = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-test-home-'));

export default defineConfig({
  test: {
    env: { HOME: testHome },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: real servers and SQLite files per test file, so keep parallelism modest.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'server', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/e2e/**'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // Builds the dashboard (when stale) and makes sure Chromium is there.
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
