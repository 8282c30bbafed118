import type { z } from 'zod';
import type { SessionAliases } from '../sessions/aliases.js';
import type { Settings } from '../config/settings.js';
import type { SessionService } from '../sessions/service.js';

/** Tool groups for profiles and allow/deny lists (`group:fs`, `group:shell`, …). */
export type ToolGroup = 'fs' | 'shell' | 'memory' | 'search' | 'web' | 'sessions' | 'system' | 'mcp' | 'skills';

/** How much harm a tool can do; policy and plan mode read this. */
export type TrustLevel = 'safe' | 'sensitive' | 'dangerous';

/** What a tool knows about the turn that called it. */
export interface ToolContext {
  /** The chat's base key (`websocket:<uuid>`); aliases redirect it to `sessionKey`. */
  baseKey: string;
  sessionKey: string;
  sessionId: string;
  channel: string;
  /** Who sent the message (`owner` for the dashboard and CLI; a channel user id otherwise). */
  sender: string;
  home: string;
  settings: Settings;
  sessions: SessionService;
  aliases: SessionAliases;
  /** Aborted when the turn is stopped or the tool times out. */
  signal: AbortSignal;
}

/** One tool: PocketPaw's name and parameters, so prompts and policies carry over. */
export interface ToolDefinition<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  group: ToolGroup;
  /** More groups the tool is in, for allow/deny lists and plan mode (an MCP tool: `mcp:<server>`). */
  extraGroups?: readonly string[];
  /** The MCP server that provides the tool: named in its tool_start / tool_result frames. */
  mcpServer?: string;
  trust: TrustLevel;
  /**
   * The output is external content (file contents, command output, web pages): the registry
   * scans it for prompt injection and always hands it to the model wrapped as untrusted data.
   * Unset: true for the `shell` and `web` groups, false otherwise. MCP tools set it to true.
   */
  untrustedOutput?: boolean;
  parameters: P;
  /** Returns text for the model. Throwing reports the error to the model as the tool's result. */
  execute(args: z.infer<P>, ctx: ToolContext): Promise<string>;
}

export interface ToolCall {
  name: string;
  args: unknown;
}

/**
 * The one place where policy applies to tool calls (profile, allow/deny, plan mode, rails):
 * `before` runs ahead of every call and throws `ToolRefusedError` to refuse it; `after` sees
 * every outcome (for the audit log).
 */
export interface ToolGate {
  /** Tools offered to the model for this turn. */
  offered(defs: ToolDefinition[], ctx: ToolContext): ToolDefinition[];
  before(call: ToolCall, def: ToolDefinition | undefined, ctx: ToolContext): Promise<void>;
  after(call: ToolCall, outcome: ToolOutcome, ctx: ToolContext): void;
}

/** How a call ended; `refused` when the tool itself refused it (e.g. a path outside the jail). */
export interface ToolOutcome {
  ok: boolean;
  result: string;
  ms: number;
  refused?: boolean;
}

/** A refusal the model is told about (its text is the tool result). */
export class ToolRefusedError extends Error {}
