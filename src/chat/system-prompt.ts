import { readIdentity } from '../identity/files.js';

/** The system prompt for a turn: identity files in order, then the facts of the moment. */
export function buildSystemPrompt(home: string, now = new Date()): string {
  const id = readIdentity(home);
  const parts = [id.identity_file, id.soul_file, id.style_file, id.instructions_file.trim(), id.user_file.trim()
    ? `# About the user\n\n${id.user_file.trim()}` : '']
    .map((p) => p.trim())
    .filter(Boolean);
  parts.push(`Current date and time: ${now.toString()}.`);
  return parts.join('\n\n');
}
