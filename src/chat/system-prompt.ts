import { readIdentity } from '../identity/files.js';

/** What a module adds to the system prompt for one turn (e.g. relevant memories). */
export interface PromptContext {
  sessionKey: string;
  sender: string;
  userText: string;
}
export type PromptContributor = (ctx: PromptContext) => string | Promise<string>;

/** The system prompt for a turn: identity files in order, contributions, then the facts of the moment. */
export async function buildSystemPrompt(home: string, contributors: PromptContributor[], ctx: PromptContext, now = new Date()): Promise<string> {
  const id = readIdentity(home);
  const parts = [id.identity_file, id.soul_file, id.style_file, id.instructions_file.trim(), id.user_file.trim()
    ? `# About the user\n\n${id.user_file.trim()}` : '']
    .map((p) => p.trim())
    .filter(Boolean);
  for (const contribute of contributors) {
    const extra = (await contribute(ctx)).trim();
    if (extra) parts.push(extra);
  }
  parts.push(`Current date and time: ${now.toString()}.`);
  return parts.join('\n\n');
}
