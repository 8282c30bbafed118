import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * An MCP tool result as text for the model: text blocks joined, other blocks described (the
 * model gets no image bytes or blobs), structured content when there is nothing else. An
 * `isError` result is thrown, so the model and the frames see it as the tool's error.
 */
export function resultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        parts.push(block.text);
        break;
      case 'image':
        parts.push(`[image: ${block.mimeType}, ${approxBytes(block.data)} bytes, not shown]`);
        break;
      case 'audio':
        parts.push(`[audio: ${block.mimeType}, ${approxBytes(block.data)} bytes, not shown]`);
        break;
      case 'resource': {
        const r = block.resource;
        if ('text' in r && typeof r.text === 'string') parts.push(`[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}]\n${r.text}`);
        else parts.push(`[resource ${r.uri}${r.mimeType ? ` (${r.mimeType})` : ''}: binary, not shown]`);
        break;
      }
      case 'resource_link':
        parts.push(`[resource link ${block.uri}${block.name ? ` "${block.name}"` : ''}${block.description ? `: ${block.description}` : ''}]`);
        break;
      default:
        parts.push(`[${(block as { type: string }).type} content, not shown]`);
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  const text = parts.length ? parts.join('\n') : '(no output)';
  if (result.isError) throw new Error(text);
  return text;
}

function approxBytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}
