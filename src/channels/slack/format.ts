/**
 * The model writes standard Markdown; Slack renders its own "mrkdwn" (PocketPaw converts the
 * same way). `&`, `<` and `>` are Slack's control characters and must be escaped, or text like
 * `a <b> c` would be read as a link or mention; the links we build afterwards are real ones.
 */
const CODE_BLOCK = /```[\s\S]*?```/g;
const HEADING = /^#{1,6}\s+(.+)$/gm;
const LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;
const BOLD = /\*\*(.+?)\*\*/g;
const STRIKE = /~~(.+?)~~/g;

export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function toMrkdwn(markdown: string): string {
  const blocks: string[] = [];
  // Code blocks keep their content (escaped, as Slack wants) but no formatting inside them.
  let text = escapeSlack(markdown).replace(CODE_BLOCK, (block) => `\u0000${blocks.push(block) - 1}\u0000`);
  text = text
    .replace(HEADING, '*$1*')
    .replace(LINK, '<$2|$1>')
    .replace(BOLD, '*$1*')
    .replace(STRIKE, '~$1~');
  return text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => blocks[Number(i)] ?? '');
}
