import type { McpTransport } from '../api-tools';

/** Pieces the MCP panel, its add form and its presets share. */

export const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export const TRANSPORTS: { value: McpTransport; label: string }[] = [
  { value: 'stdio', label: 'Local program (stdio)' },
  { value: 'streamable-http', label: 'Streamable HTTP' },
  { value: 'http', label: 'HTTP with SSE (older servers)' },
];

/** A server's tools, folded: names and what each does. */
export function ToolList({ tools, label, open }: { tools: { name: string; description: string }[]; label: string; open?: boolean }) {
  return (
    <details class="mcp-tools" open={open}>
      <summary>{plural(tools.length, 'tool')}</summary>
      <ul aria-label={label}>
        {tools.map((t) => (
          <li key={t.name}>
            <code>{t.name}</code>
            {t.description ? <span class="mcp-tool-desc">{t.description}</span> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}

