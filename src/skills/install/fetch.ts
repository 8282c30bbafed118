import { spawn } from 'node:child_process';
import { redact } from '../../security/redact.js';
import { INSTALL_LIMITS, SkillInstallError } from './errors.js';

const MB = 1024 * 1024;

/**
 * `git clone --depth 1` into `dest` (PocketPaw's clone), stopped after the timeout. Only the
 * https, http, ssh, git and file transports are allowed (never `ext::`, which runs commands),
 * git never prompts for credentials, and the URL comes after `--` so it cannot be an option.
 */
export function cloneRepo(url: string, dest: string, timeoutSeconds: number = INSTALL_LIMITS.timeoutSeconds): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'core.hooksPath=/dev/null', 'clone', '--depth', '1', '--quiet', '--no-tags', '--', url, dest], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: 'https:http:ssh:git:file', GIT_ASKPASS: 'echo', SSH_ASKPASS: 'echo', GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes' },
    });
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole group: git runs helpers (git-remote-https, ssh) that must not outlive it.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutSeconds * 1000);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SkillInstallError(500, err.code === 'ENOENT' ? 'Clone failed: git is not installed' : `Clone failed: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return reject(new SkillInstallError(504, `Clone timed out (${timeoutSeconds}s)`));
      if (code === 0) return resolve();
      reject(new SkillInstallError(500, `Clone failed: ${redact(stderr.trim().slice(0, 2000)) || `git exited with ${code}`}`));
    });
  });
}

/** An archive over http(s), at most `INSTALL_LIMITS.archiveBytes`, within the timeout. */
export async function downloadArchive(url: string, maxBytes: number = INSTALL_LIMITS.archiveBytes, timeoutSeconds: number = INSTALL_LIMITS.timeoutSeconds): Promise<Buffer> {
  const tooBig = () => new SkillInstallError(413, `Archive is larger than ${Math.round(maxBytes / MB)} MB`);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutSeconds * 1000);
  try {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'application/gzip, application/zip, application/octet-stream, */*' } });
    if (!res.ok) throw new SkillInstallError(502, `Download failed: HTTP ${res.status}`);
    if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
      await res.body?.cancel();
      throw tooBig();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > maxBytes) {
        controller.abort();
        throw tooBig();
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (err instanceof SkillInstallError) throw err;
    if (controller.signal.aborted) throw new SkillInstallError(504, `Download timed out (${timeoutSeconds}s)`);
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new SkillInstallError(502, `Download failed: ${redact(cause)}`);
  } finally {
    clearTimeout(timer);
  }
}
