import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from '../helpers/browser.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Before the browser tests: Debian's Chromium (installed when missing, as root) and a current
 * dashboard build (rebuilt only when web/ changed), both through the project's own scripts.
 */
export default function setup(): void {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    execFileSync('bash', [path.join(ROOT, 'scripts/setup-system.sh')], { stdio: 'inherit' });
  }
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-web.mjs')], { stdio: 'inherit', cwd: ROOT });
}
