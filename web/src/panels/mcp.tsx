import { McpPanel } from '../components/McpPanel';

/** MCP servers: the same panel as in Settings, as a page of its own. */
export default function McpPage() {
  return <McpPanel />;
}
