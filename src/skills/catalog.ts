import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SkillSummary } from '../protocol/skills.js';

/** A skill directory with a `SKILL.md` (spec §3.11). */
export interface Skill {
  name: string;
  description: string;
  argumentHint: string;
  userInvocable: boolean;
  allowedTools: string[];
  /** The instructions after the front matter. */
  body: string;
  dir: string;
}

/** `~/.agents/skills/` then `<data dir>/skills/`; a later root's skill replaces an earlier one of the same name. */
export function skillRoots(home: string, userHome = os.homedir()): string[] {
  return [path.join(userHome, '.agents', 'skills'), path.join(home, 'skills')];
}

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) {
    const inner = t.slice(1, -1);
    return t.startsWith('"') ? inner.replace(/\\"/g, '"').replace(/\\n/g, '\n') : inner.replace(/''/g, "'");
  }
  return t;
}

/**
 * The YAML front matter SKILL.md files use: `key: value` pairs, quoted strings, folded (`>`) or
 * literal (`|`) blocks and indented continuation lines, `[a, b]` or `- a` lists.
 */
export function parseFrontMatter(text: string): { fields: Record<string, string | string[]>; body: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return { fields: {}, body: text };
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) return { fields: {}, body: text };
  const fields: Record<string, string | string[]> = {};
  let key = '';
  let block: 'folded' | 'literal' | 'list' | 'plain' = 'plain';
  for (const line of lines.slice(1, end)) {
    const m = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(line);
    if (m && !/^\s/.test(line)) {
      key = m[1]!.toLowerCase();
      const raw = m[2]!.trim();
      if (raw === '>' || raw === '>-') { block = 'folded'; fields[key] = ''; }
      else if (raw === '|' || raw === '|-') { block = 'literal'; fields[key] = ''; }
      else if (raw === '') { block = 'list'; fields[key] = []; }
      else if (raw.startsWith('[') && raw.endsWith(']')) { block = 'plain'; fields[key] = raw.slice(1, -1).split(',').map(unquote).filter(Boolean); }
      else { block = 'plain'; fields[key] = unquote(raw); }
      continue;
    }
    if (!key || !line.trim()) continue;
    const current = fields[key];
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (Array.isArray(current) && item) current.push(unquote(item[1]!));
    else if (Array.isArray(current)) fields[key] = line.trim();
    else if (block === 'literal') fields[key] = current ? `${current}\n${line.trim()}` : line.trim();
    else fields[key] = current ? `${current} ${line.trim()}` : line.trim();
  }
  return { fields, body: lines.slice(end + 1).join('\n').trim() };
}

function str(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(' ') : (v ?? '');
}

export function readSkill(dir: string): Skill | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'SKILL.md'), 'utf8');
  } catch {
    return null;
  }
  const { fields, body } = parseFrontMatter(text);
  const invocable = str(fields['user-invocable']).trim().toLowerCase();
  const tools = fields['allowed-tools'];
  return {
    name: str(fields.name).trim() || path.basename(dir),
    description: str(fields.description).trim(),
    argumentHint: str(fields['argument-hint']).trim(),
    userInvocable: !['false', 'no', 'off', '0'].includes(invocable),
    allowedTools: Array.isArray(tools) ? tools : str(tools).split(/[,\s]+/).filter(Boolean),
    body,
    dir,
  };
}

/** Every skill on disk, read afresh, sorted by name. */
export function loadSkills(roots: string[]): Skill[] {
  const byName = new Map<string, Skill>();
  for (const root of roots) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(root, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || !(e.isDirectory() || e.isSymbolicLink())) continue;
      const skill = readSkill(path.join(root, e.name));
      if (skill) byName.set(skill.name, skill);
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The listing of `GET /api/skills` and WS `get_skills`: user-invocable skills only. */
export function skillSummaries(skills: Skill[]): SkillSummary[] {
  return skills.filter((s) => s.userInvocable).map((s) => ({ name: s.name, description: s.description, argument_hint: s.argumentHint }));
}
