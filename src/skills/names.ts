import path from 'node:path';

/**
 * A skill name the agent or an install may create: lowercase letters, digits and single hyphens,
 * at most 64 characters (the Agent Skills format). It is also the folder name, so it can never
 * hold a path separator, `..` or a leading dot.
 */
export const SKILL_NAME_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SKILL_NAME_MAX = 64;

/**
 * A folder name an install copies as it is (PocketPaw's rule, which also takes upper case, `.`
 * and `_`: `Some.Skill_v2`), never `.`/`..` or hidden.
 */
export const SKILL_DIR_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSkillName(name: string): boolean {
  return name.length <= SKILL_NAME_MAX && SKILL_NAME_RE.test(name);
}

export function isSkillDirName(name: string): boolean {
  return SKILL_DIR_RE.test(name) && !name.includes('..');
}

/** The user's own skills folder: where `create_skill` and installs write, and nowhere else. */
export function userSkillsDir(home: string): string {
  return path.join(home, 'skills');
}

/** Whether `child` is `parent` or inside it (both absolute and resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
