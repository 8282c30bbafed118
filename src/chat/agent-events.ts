/** What the agent loop reports while it works; transports turn these into frames. */
export type AgentEvent =
  | { type: 'text'; delta: string }
  | { type: 'thinking'; delta: string }
  | { type: 'thinking_done' }
  /** `server`: the MCP server that provides the tool (MCP tools only). */
  | { type: 'tool_start'; name: string; params: unknown; server?: string }
  | { type: 'tool_result'; name: string; result: string; status: 'success' | 'error'; server?: string }
  | { type: 'usage'; input_tokens: number; output_tokens: number; total_tokens: number }
  | { type: 'error'; message: string }
  /** The inbound message was blocked by the injection scanner (spec §4.2 step 3). */
  | { type: 'blocked'; message: string; patterns: string[] };
