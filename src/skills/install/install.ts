import type { SkillInstallResult, SkillPreview } from '../../protocol/skills.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSkill } from '../catalog.js';
import { userSkillsDir } from '../names.js';
import { unpackArchive } from './archive.js';
import { INSTALL_LIMITS, SkillInstallError } from './errors.js';
import { cloneRepo, downloadArchive } from './fetch.js';
import { parseInstallSource, type InstallSource } from './source.js';
import { findSkills, inspectSkill, type FoundSkill } from './tree.js';

const PREVIEW_FILES = 200;

export type { SkillInstallResult, SkillPreview } from '../../protocol/skills.js';

export interface InstallRequest {
  source: unknown;
  skill?: unknown;
  dryRun?: boolean;
}

export type InstallResult = SkillInstallResult;

/** The last path segment of a source without `.git`/archive endings: the name of a root-level skill. */
function fallbackName(src: InstallSource): string {
  const last = (src.kind === 'folder' ? src.path : src.url.replace(/[?#].*$/, '')).replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
  return last.replace(/\.(git|tar\.gz|tgz|zip)$/i, '') || 'skill';
}

/** Fetches the source into `work` and returns the folder to look for skills in. */
async function fetchTree(src: InstallSource, work: string): Promise<string> {
  if (src.kind === 'folder') {
    const st = fs.statSync(src.path, { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw new SkillInstallError(404, `Folder not found: ${src.label}`);
    return fs.realpathSync(src.path);
  }
  const tree = path.join(work, 'tree');
  if (src.kind === 'archive') {
    const data = await downloadArchive(src.url);
    fs.mkdirSync(tree);
    await unpackArchive(data, src.url, tree);
    return tree;
  }
  await cloneRepo(src.url, tree);
  return tree;
}

function describe(found: FoundSkill, root: string): SkillPreview {
  const contents = inspectSkill(found.src, `Skill '${found.dir}'`);
  const meta = readSkill(found.src)!;
  return {
    name: meta.name, dir: found.dir, description: meta.description, argument_hint: meta.argumentHint,
    user_invocable: meta.userInvocable, allowed_tools: meta.allowedTools,
    files: contents.files.slice(0, PREVIEW_FILES), file_count: contents.files.length, size: contents.size,
    replaces: fs.lstatSync(path.join(root, found.dir), { throwIfNoEntry: false }) !== undefined,
  };
}

/**
 * Install (or, with `dryRun`, only show) the skills of a source into `<data dir>/skills/`.
 * Everything is fetched into a temporary folder and checked first (names, links, sizes); each
 * skill is copied beside its final place under a hidden name, checked again, and only then put
 * in place, replacing an existing folder of that name. A refusal leaves nothing behind.
 */
export async function installSkills(home: string, req: InstallRequest): Promise<InstallResult> {
  const src = parseInstallSource(req.source, req.skill);
  const root = userSkillsDir(home);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pocketpaw-skill-'));
  const staged: Array<{ tmp: string; dest: string }> = [];
  try {
    const tree = await fetchTree(src, work);
    const found = findSkills(tree, { skill: src.skill, label: src.skill ?? src.label, fallbackName: fallbackName(src) });
    const previews = found.map((f) => describe(f, root));
    const total = previews.reduce((n, p) => n + p.size, 0);
    if (total > INSTALL_LIMITS.unpackedBytes) throw new SkillInstallError(413, `The skills are larger than ${INSTALL_LIMITS.unpackedBytes / 1024 / 1024} MB together`);
    if (req.dryRun) return { status: 'preview', source: src.label, kind: src.kind, skills: previews };

    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    const tag = crypto.randomBytes(6).toString('hex');
    for (const f of found) {
      // Hidden names: the catalog skips them, so a half-copied skill is never listed.
      const tmp = path.join(root, `.installing-${tag}-${f.dir}`);
      staged.push({ tmp, dest: path.join(root, f.dir) });
      fs.cpSync(f.src, tmp, { recursive: true, verbatimSymlinks: true, filter: (p) => path.basename(p) !== '.git' });
      inspectSkill(tmp, `Skill '${f.dir}'`);
    }
    for (const { tmp, dest } of staged) {
      const old = `${tmp}.old`;
      if (fs.lstatSync(dest, { throwIfNoEntry: false })) fs.renameSync(dest, old);
      fs.renameSync(tmp, dest);
      fs.rmSync(old, { recursive: true, force: true });
    }
    return { status: 'ok', installed: found.map((f) => f.dir), source: src.label, kind: src.kind };
  } finally {
    for (const { tmp } of staged) fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}
