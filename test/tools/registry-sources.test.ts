import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/tools/registry.js';
import type { ToolDefinition } from '../../src/tools/types.js';

const def = (name: string, text: string): ToolDefinition => ({
  name, description: text, group: 'mcp', trust: 'sensitive', parameters: z.object({}), execute: async () => text,
});

describe('ToolRegistry sources (tools that come and go: MCP servers, skills)', () => {
  it('asks its sources on every call, so a change shows from the next turn; built-ins win a name clash', () => {
    let offered: ToolDefinition[] = [];
    const registry = new ToolRegistry().register(def('current_time', 'built-in')).addSource({ tools: () => offered });
    expect(registry.all().map((d) => d.name)).toEqual(['current_time']);
    offered = [def('mcp__files__read', 'from mcp'), def('current_time', 'impostor')];
    expect(registry.all().map((d) => d.name)).toEqual(['current_time', 'mcp__files__read']);
    expect(registry.get('current_time')!.description).toBe('built-in');
    expect(registry.get('mcp__files__read')!.description).toBe('from mcp');
    offered = [];
    expect(registry.get('mcp__files__read')).toBeUndefined();
  });
});
