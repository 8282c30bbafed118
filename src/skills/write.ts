import { writeFileAtomic } from '../lib/files.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../lib/errors.js';
import { scanText } from '../security/injection/scanner.js';
import { loadSkills, parseFrontMatter, readSkill } from './catalog.js';
import { isInside, isSkillName, SKILL_NAME_MAX, userSkillsDir } from './names.js';

export const MAX_INSTRUCTIONS_CHARS = 100_000;
export const MAX_DESCRIPTION_CHARS = 1024;
const TOOL_NAME_RE = /^[A-Za-z0-9_.:*()/-]{1,100}$/;

export interface NewSkill {
  name: string;
  description: string;
  instructions: string;
  argumentHint?: string;
  allowedTools?: string[];
}

export interface WrittenSkill {
  name: string;
  file: string;
  replaced: boolean;
  bytes: number;
  sha256: string;
}

/** YAML single quotes: no escapes but `''`, so backslashes and colons stay as written. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function singleLine(field: string, text: string, max: number): string {
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) throw new InvalidInputError(`${field} must not contain control characters`);
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length > max) throw new InvalidInputError(`${field} is longer than ${max} characters`);
  return t;
}

/** The checked SKILL.md text of a new skill; throws InvalidInputError saying what is wrong. */
export function renderSkillMd(skill: NewSkill): string {
  if (!isSkillName(skill.name)) {
    throw new InvalidInputError(`Invalid skill name "${skill.name}": use lowercase letters, digits and single hyphens (e.g. "weekly-report"), at most ${SKILL_NAME_MAX} characters`);
  }
  const description = singleLine('description', skill.description, MAX_DESCRIPTION_CHARS);
  if (!description) throw new InvalidInputError('description is required: one line saying when to use the skill');
  const hint = singleLine('argument_hint', skill.argumentHint ?? '', 200);
  const tools = (skill.allowedTools ?? []).map((t) => t.trim()).filter(Boolean);
  const badTool = tools.find((t) => !TOOL_NAME_RE.test(t));
  if (badTool !== undefined) throw new InvalidInputError(`Invalid tool name in allowed_tools: "${badTool}"`);
  if (tools.length > 50) throw new InvalidInputError('allowed_tools lists more than 50 tools');
  const body = skill.instructions.replace(/\r\n?/g, '\n').trim();
  if (!body) throw new InvalidInputError('instructions are required: the steps the skill follows');
  if (body.length > MAX_INSTRUCTIONS_CHARS) throw new InvalidInputError(`instructions are longer than ${MAX_INSTRUCTIONS_CHARS} characters`);
  const lines = ['---', `name: ${skill.name}`, `description: ${quoted(description)}`];
  if (hint) lines.push(`argument-hint: ${quoted(hint)}`);
  if (tools.length) lines.push(`allowed-tools: [${tools.join(', ')}]`);
  lines.push('---', '', body, '');
  const text = lines.join('\n');
  // The file must read back as written: a parser disagreement would be a skill nobody asked for.
  const { fields, body: readBody } = parseFrontMatter(text);
  const same = fields.name === skill.name && fields.description === description && (fields['argument-hint'] ?? '') === hint
    && JSON.stringify(fields['allowed-tools'] ?? []) === JSON.stringify(tools) && readBody === body;
  if (!same) throw new InvalidInputError('The skill does not read back as written; simplify the description, hint or tool names');
  return text;
}

/**
 * Writes `<data dir>/skills/<name>/SKILL.md` and nothing else: the name is the folder, so it
 * cannot leave the skills folder; a folder that is a symbolic link is refused; an existing skill
 * is replaced only with `overwrite`, and a skill of that name elsewhere (`~/.agents/skills`,
 * another folder) is never shadowed. Text the injection scanner rates high risk is refused:
 * a skill is instructions the agent follows later.
 */
export function writeUserSkill(home: string, roots: string[], skill: NewSkill, opts: { overwrite?: boolean; scan?: boolean } = {}): WrittenSkill {
  const text = renderSkillMd(skill);
  if (opts.scan !== false) {
    const scan = scanText(`${skill.description}\n${skill.instructions}`);
    if (scan.level === 'high') {
      throw new InvalidInputError(`Not saved: this text looks like instructions aimed at overriding the AI's rules (${scan.patterns.join(', ')})`);
    }
  }
  const root = userSkillsDir(home);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const dir = path.join(root, skill.name);
  let existing: fs.Stats | null = null;
  try {
    existing = fs.lstatSync(dir);
  } catch {
    // A new skill.
  }
  if (existing && !existing.isDirectory()) throw new InvalidInputError(`skills/${skill.name} exists and is not a plain folder; not writing through it`);
  const sameName = loadSkills(roots).find((s) => s.name === skill.name);
  if (sameName && path.resolve(sameName.dir) !== path.resolve(dir)) {
    throw new InvalidInputError(`A skill named "${skill.name}" is already installed elsewhere; choose another name`);
  }
  if (existing && !opts.overwrite) throw new InvalidInputError(`Skill "${skill.name}" already exists; pass overwrite: true to replace it`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!isInside(fs.realpathSync(root), fs.realpathSync(dir))) throw new InvalidInputError('The skill folder resolves outside the skills folder; not writing');
  const file = path.join(dir, 'SKILL.md');
  // Temp file and rename: a SKILL.md that is a symbolic link is replaced, never written through.
  writeFileAtomic(file, text, 0o600);
  if (!readSkill(dir)) throw new Error('The written skill cannot be read back');
  return { name: skill.name, file, replaced: existing !== null, bytes: Buffer.byteLength(text), sha256: crypto.createHash('sha256').update(text).digest('hex') };
}
