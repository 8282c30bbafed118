import type { PromptContributor } from '../chat/system-prompt.js';
import type { SettingsStore } from '../config/settings-store.js';
import { scanText } from '../security/injection/scanner.js';
import { evaluatePolicy } from '../tools/policy/policy.js';
import { loadSkills, skillRoots, type Skill } from './catalog.js';

/** Skills listed in the system prompt at most, and characters of the list: hundreds installed must not flood it. */
export const PROMPT_MAX_SKILLS = 40;
export const PROMPT_MAX_CHARS = 4000;
const DESCRIPTION_CHARS = 160;

export const SKILLS_PROMPT_HEADING = '# Skills';

/** The instructions of a skill run: its body with `$ARGUMENTS` filled in (WS `run_skill` and the `skill` tool). */
export function skillPrompt(skill: Skill, args: string): string {
  const body = skill.body || skill.description;
  const filled = body.includes('$ARGUMENTS') ? body.replaceAll('$ARGUMENTS', args) : body;
  const extra = !body.includes('$ARGUMENTS') && args ? `\n\nArguments: ${args}` : '';
  return `[Skill: ${skill.name}]\n${filled}${extra}`;
}

function oneLine(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Skills sharing words with the user's message come first when not all of them fit. */
function rank(skills: Skill[], userText: string): Skill[] {
  if (skills.length <= PROMPT_MAX_SKILLS) return skills;
  const words = new Set(userText.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 3));
  if (!words.size) return skills;
  const score = (s: Skill) => `${s.name} ${s.description}`.toLowerCase().split(/[^a-z0-9]+/).filter((w) => words.has(w)).length;
  return skills.map((s) => ({ s, n: score(s) })).sort((a, b) => b.n - a.n).map((x) => x.s);
}

function skillLine(s: Skill): string {
  // A description that reads like instructions aimed at the model is not put in the prompt.
  const description = scanText(s.description).level === 'high' ? '' : oneLine(s.description, DESCRIPTION_CHARS);
  return `- ${oneLine(s.name, 64)}${description ? `: ${description}` : ''}`;
}

/**
 * The installed skills for the system prompt (name and one line each), re-read from disk each
 * turn like the skills list, at most PROMPT_MAX_SKILLS lines and PROMPT_MAX_CHARS characters.
 * Nothing when the tool policy does not offer the `skill` tool: the model could not load them.
 */
export function createSkillsPromptContributor(home: string, settings: SettingsStore): PromptContributor {
  return ({ userText }) => {
    if (!evaluatePolicy(settings.get(), 'skill', ['skills']).allowed) return '';
    const skills = loadSkills(skillRoots(home));
    if (!skills.length) return '';
    const lines: string[] = [];
    let used = 0;
    for (const s of rank(skills, userText)) {
      const line = skillLine(s);
      if (lines.length >= PROMPT_MAX_SKILLS || used + line.length + 1 > PROMPT_MAX_CHARS) break;
      lines.push(line);
      used += line.length + 1;
    }
    const more = skills.length - lines.length;
    return [
      SKILLS_PROMPT_HEADING,
      'Skills are saved instructions for particular tasks. When the user\'s request matches one, call the `skill` tool with its name (and any arguments) to load its instructions, then follow them. Only load a skill when it fits the request.',
      '',
      lines.join('\n'),
      ...(more > 0 ? ['', `(${more} more skill${more === 1 ? '' : 's'} not listed; call \`skill\` with a name to load one.)`] : []),
    ].join('\n');
  };
}
