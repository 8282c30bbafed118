import os from 'node:os';
import path from 'node:path';
import { SkillInstallError } from './errors.js';

/** Where an install comes from; `skill` picks one skill folder out of several. */
export type InstallSource =
  | { kind: 'github'; url: string; label: string; skill?: string }
  | { kind: 'git'; url: string; label: string; skill?: string }
  | { kind: 'archive'; url: string; label: string; skill?: string }
  | { kind: 'folder'; path: string; label: string; skill?: string };

const OWNER_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const REPO_RE = /^[A-Za-z0-9._-]+$/;
const SKILL_RE = /^[A-Za-z0-9._-]+$/;
const ARCHIVE_RE = /\.(tar\.gz|tgz|zip)$/i;

function checkSkill(skill: string | undefined): string | undefined {
  if (skill === undefined || skill === '') return undefined;
  if (skill === '.' || skill === '..' || !SKILL_RE.test(skill)) throw new SkillInstallError(400, 'Invalid skill name format');
  return skill;
}

/** A URL without its user name and password: what the audit log and messages show. */
export function shownUrl(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  return u.href;
}

/**
 * The `source` of `POST /api/skills/install`. PocketPaw's `owner/repo[/skill]` (a GitHub repo),
 * and ours: an absolute folder path, an http(s) URL of a `.tar.gz`/`.tgz`/`.zip`, or any git URL
 * (`https://…`, `ssh://…`, `git://…`, `file://…`, `user@host:path`). `skill` (ours) picks one
 * skill folder of a repository, archive or folder.
 */
export function parseInstallSource(raw: unknown, skillField?: unknown): InstallSource {
  const source = typeof raw === 'string' ? raw.trim() : '';
  if (!source) throw new SkillInstallError(400, "Missing 'source' field");
  if (/[\u0000-\u001f\u007f]/.test(source)) throw new SkillInstallError(400, 'Invalid source format');
  const skill = checkSkill(typeof skillField === 'string' ? skillField.trim() : undefined);

  if (source.startsWith('/') || source.startsWith('~/')) {
    if (source.split('/').includes('..')) throw new SkillInstallError(400, 'Invalid source format');
    return { kind: 'folder', path: source.startsWith('~/') ? path.join(os.homedir(), source.slice(2)) : path.resolve(source), label: source, skill };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new SkillInstallError(400, 'Invalid source format');
    }
    if (decodeURIComponent(url.pathname).split('/').includes('..')) throw new SkillInstallError(400, 'Invalid source format');
    const scheme = url.protocol.slice(0, -1).toLowerCase();
    if ((scheme === 'http' || scheme === 'https') && ARCHIVE_RE.test(url.pathname)) return { kind: 'archive', url: url.href, label: shownUrl(url), skill };
    if (!['http', 'https', 'ssh', 'git', 'file'].includes(scheme)) throw new SkillInstallError(400, `Unsupported source URL scheme: ${scheme}`);
    return { kind: 'git', url: url.href, label: shownUrl(url), skill };
  }
  if (/^[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[^\s]+$/.test(source) && !source.includes('..')) {
    return { kind: 'git', url: source, label: source.replace(/^[^@]+@/, ''), skill };
  }

  // PocketPaw's form and its messages.
  if (['..', ';', '|', '&'].some((c) => source.includes(c))) throw new SkillInstallError(400, 'Invalid source format');
  const parts = source.split('/');
  if (parts.length < 2 || parts.length > 3) throw new SkillInstallError(400, 'Source must be owner/repo or owner/repo/skill');
  const [owner, repo, sub] = parts as [string, string, string | undefined];
  if (!OWNER_RE.test(owner)) throw new SkillInstallError(400, 'Invalid owner format');
  if (!REPO_RE.test(repo)) throw new SkillInstallError(400, 'Invalid repo format');
  return { kind: 'github', url: `https://github.com/${owner}/${repo}`, label: `${owner}/${repo}`, skill: checkSkill(sub) ?? skill };
}
