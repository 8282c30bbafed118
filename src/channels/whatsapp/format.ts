/**
 * The model writes standard Markdown; WhatsApp has its own marks (`*bold*`, `_italic_`,
 * `~strike~`, code blocks) and no headings or link syntax. Converted as PocketPaw does: headings
 * become bold lines, links `text (url)` (WhatsApp links bare URLs itself).
 */
const CODE_BLOCK = /```[\s\S]*?```/g;
const HEADING = /^#{1,6}\s+(.+)$/gm;
const LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;
const BOLD = /\*\*(.+?)\*\*/g;
const STRIKE = /~~(.+?)~~/g;

export function toWhatsApp(markdown: string): string {
  const blocks: string[] = [];
  let text = markdown.replace(CODE_BLOCK, (block) => `\u0000${blocks.push(block) - 1}\u0000`);
  text = text
    .replace(HEADING, '*$1*')
    .replace(LINK, '$1 ($2)')
    .replace(BOLD, '*$1*')
    .replace(STRIKE, '~$1~');
  return text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => blocks[Number(i)] ?? '');
}
