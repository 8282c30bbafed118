import fs from 'node:fs';
import path from 'node:path';
import { isInside, isSkillDirName } from '../names.js';
import { INSTALL_LIMITS, SkillInstallError } from './errors.js';

/** A skill folder found in a fetched tree, and the folder name it is installed as. */
export interface FoundSkill {
  dir: string;
  src: string;
}

export interface SkillContents {
  /** Relative paths of the files (and links), sorted. */
  files: string[];
  /** Bytes of the regular files. */
  size: number;
}

function lstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** A real folder (not a link to one) holding a regular-file SKILL.md. */
function isSkillFolder(p: string): boolean {
  return lstat(p)?.isDirectory() === true && lstat(path.join(p, 'SKILL.md'))?.isFile() === true;
}

function checkedName(dir: string): string {
  if (!isSkillDirName(dir)) throw new SkillInstallError(400, `Unsafe skill folder name '${dir}' (use letters, digits, '.', '_' and '-')`);
  return dir;
}

/**
 * The skills in a fetched tree, as PocketPaw finds them in a clone: `<skill>` or
 * `skills/<skill>` when one is asked for, else every top-level and `skills/` folder with a
 * SKILL.md. Ours: a tree whose root is itself a skill installs as `fallbackName`, and an
 * archive's single wrapping folder (`repo-main/`) is looked into.
 */
export function findSkills(tree: string, opts: { skill?: string; label: string; fallbackName: string }): FoundSkill[] {
  let root = tree;
  if (!isSkillFolder(root)) {
    const entries = fs.readdirSync(root, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
    const only = entries.length === 1 && entries[0]!.isDirectory() ? path.join(root, entries[0]!.name) : null;
    if (only && !isSkillFolder(only)) root = only;
  }
  if (opts.skill) {
    for (const candidate of [path.join(root, opts.skill), path.join(root, 'skills', opts.skill)]) {
      if (lstat(path.dirname(candidate))?.isDirectory() && isSkillFolder(candidate)) return [{ dir: checkedName(opts.skill), src: candidate }];
    }
    throw new SkillInstallError(404, `No SKILL.md found for '${opts.skill}'`);
  }
  if (isSkillFolder(root)) return [{ dir: checkedName(opts.fallbackName), src: root }];
  const found = new Map<string, FoundSkill>();
  for (const scan of [root, path.join(root, 'skills')]) {
    if (lstat(scan)?.isDirectory() !== true) continue;
    for (const e of fs.readdirSync(scan, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.') || found.has(e.name)) continue;
      const p = path.join(scan, e.name);
      if (isSkillFolder(p)) found.set(e.name, { dir: checkedName(e.name), src: p });
    }
  }
  if (!found.size) throw new SkillInstallError(404, `No SKILL.md found for '${opts.label}'`);
  return [...found.values()];
}

const refused = (why: string) => new SkillInstallError(400, `Refused: ${why}; nothing was installed`);

/**
 * Every file of a skill folder, checked: a symbolic link must be relative and stay inside the
 * skill's folder, nothing but files, folders and such links, within the size and file limits.
 * `.git` is left out (it is not copied either).
 */
export function inspectSkill(skillDir: string, label: string): SkillContents {
  const files: string[] = [];
  let size = 0;
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = path.join(dir, e.name);
      const rel = path.relative(skillDir, p).split(path.sep).join('/');
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) {
        const target = fs.readlinkSync(p);
        if (path.isAbsolute(target) || !isInside(skillDir, path.resolve(dir, target))) {
          throw refused(`${label} has a symbolic link pointing out of its folder (${rel} -> ${target})`);
        }
        files.push(rel);
      } else if (st.isDirectory()) {
        walk(p);
      } else if (st.isFile()) {
        size += st.size;
        files.push(rel);
      } else {
        throw refused(`${label} has something that is not a file, folder or link (${rel})`);
      }
      if (files.length > INSTALL_LIMITS.entries) throw new SkillInstallError(413, `${label} has more than ${INSTALL_LIMITS.entries} files`);
      if (size > INSTALL_LIMITS.unpackedBytes) throw new SkillInstallError(413, `${label} is larger than ${INSTALL_LIMITS.unpackedBytes / 1024 / 1024} MB`);
    }
  };
  walk(skillDir);
  return { files: files.sort(), size };
}
