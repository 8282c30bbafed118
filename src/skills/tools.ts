import path from 'node:path';
import { z } from 'zod';
import type { AuditLog } from '../audit/log.js';
import { InvalidInputError } from '../lib/errors.js';
import { ToolRefusedError, type ToolContext, type ToolDefinition } from '../tools/types.js';
import { loadSkills, skillRoots } from './catalog.js';
import { skillPrompt } from './prompt.js';
import { MAX_DESCRIPTION_CHARS, MAX_INSTRUCTIONS_CHARS, writeUserSkill, type WrittenSkill } from './write.js';

export interface SkillToolDeps {
  /** The data dir: skills are read from `skillRoots(home)` and written to `<home>/skills`. */
  home: string;
  audit: Pick<AuditLog, 'write'>;
}

const skillParams = z.object({
  name: z.string().min(1).max(200).describe('The skill to load, as listed under "Skills" in your instructions'),
  arguments: z.string().max(10_000).optional().describe('What the skill should work on (fills its $ARGUMENTS)'),
});

const createParams = z.object({
  name: z.string().min(1).max(64).describe('Lowercase letters, digits and hyphens, e.g. "weekly-report"; also the folder name'),
  description: z.string().min(1).max(MAX_DESCRIPTION_CHARS).describe('One line: what the skill does and when to use it'),
  instructions: z.string().min(1).max(MAX_INSTRUCTIONS_CHARS).describe('The SKILL.md body: the steps to follow, in Markdown. $ARGUMENTS stands for what the skill is run with'),
  argument_hint: z.string().max(200).optional().describe('What to pass when running it, e.g. "<file> [format]"'),
  user_invocable: z.boolean().optional().describe('Must stay true (the default): every skill you write is shown in the user\'s skills list'),
  allowed_tools: z.array(z.string()).max(50).optional().describe('Tools the skill expects to use (informational; it grants nothing)'),
  overwrite: z.boolean().optional().describe('Replace an existing skill of this name (only when the user asked for it)'),
});

/** Only the owner may leave standing instructions for later turns; a channel stranger may not. */
function isOwner(ctx: ToolContext): boolean {
  return ctx.sender === 'owner' || (ctx.settings.owner_id !== '' && ctx.sender === ctx.settings.owner_id);
}

/** The `skill` tool (load a skill's instructions into the turn) and `create_skill` (write one). */
export function createSkillTools(deps: SkillToolDeps): ToolDefinition[] {
  const skill: ToolDefinition<typeof skillParams> = {
    name: 'skill',
    description: 'Load the instructions of an installed skill (listed under "Skills" in your instructions) and follow them. Pass what the skill should work on as arguments.',
    group: 'skills',
    trust: 'safe',
    // The owner installed these as instructions to follow: not wrapped as untrusted data.
    untrustedOutput: false,
    parameters: skillParams,
    execute: async ({ name, arguments: args }) => {
      const wanted = name.trim().replace(/^\//, '');
      const skills = loadSkills(skillRoots(deps.home));
      const found = skills.find((s) => s.name === wanted) ?? skills.find((s) => path.basename(s.dir) === wanted);
      if (!found) {
        const known = skills.slice(0, 30).map((s) => s.name).join(', ');
        throw new Error(`No skill named "${wanted}". ${known ? `Installed skills: ${known}${skills.length > 30 ? ', …' : ''}` : 'No skills are installed.'}`);
      }
      return skillPrompt(found, (args ?? '').trim());
    },
  };

  const createSkill: ToolDefinition<typeof createParams> = {
    name: 'create_skill',
    description: 'Save a new skill (a SKILL.md of reusable instructions) in the user\'s skills folder, when the user asks you to remember how to do a task as a skill. The user sees it in their skills list. Refuses to replace an existing skill unless overwrite is true.',
    group: 'skills',
    trust: 'sensitive',
    parameters: createParams,
    execute: async (args, ctx) => {
      if (!isOwner(ctx)) throw new ToolRefusedError('Only the owner can create skills (set owner_id to allow a channel user).');
      if (args.user_invocable === false) {
        throw new ToolRefusedError('Skills you write stay user-invocable, so the user sees them in the skills list; leave user_invocable out.');
      }
      let written: WrittenSkill;
      try {
        written = writeUserSkill(deps.home, skillRoots(deps.home), {
          name: args.name.trim(), description: args.description, instructions: args.instructions,
          argumentHint: args.argument_hint, allowedTools: args.allowed_tools,
        }, { overwrite: args.overwrite === true, scan: ctx.settings.injection_scan_enabled !== false });
      } catch (err) {
        // Refusals (bad name, existing skill, path tricks) are audited as blocked calls.
        throw err instanceof InvalidInputError ? new ToolRefusedError(err.message) : err;
      }
      deps.audit.write({
        actor: 'agent', action: written.replaced ? 'skill_replaced' : 'skill_created', target: `skill:${written.name}`,
        severity: 'warning', status: 'success',
        context: {
          session_key: ctx.sessionKey, sender: ctx.sender, file: written.file, bytes: written.bytes, sha256: written.sha256,
          description: args.description.slice(0, 300), allowed_tools: args.allowed_tools ?? [],
        },
      });
      return `${written.replaced ? 'Replaced' : 'Created'} skill "${written.name}" (skills/${written.name}/SKILL.md, ${written.bytes} bytes). It is in the user's skills list; load it with the skill tool.`;
    },
  };
  return [skill, createSkill];
}
