import { z } from 'zod';
import { scanText } from '../security/injection/scanner.js';
import type { ToolContext, ToolDefinition } from '../tools/types.js';
import { scopeForSender } from './ids.js';
import type { MemoryEntry, MemoryStore } from './store.js';

const MAX_CONTENT = 10_000;
const FORGET_LIMIT = 5;

const scopeOf = (ctx: ToolContext) => scopeForSender(ctx.sender, ctx.settings.owner_id);

function preview(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n)}...` : text;
}

function line(e: MemoryEntry, i: number): string {
  return `${i + 1}. ${preview(e.content, 500)}${e.tags.length ? ` [${e.tags.join(', ')}]` : ''}`;
}

const rememberParams = z.object({
  content: z.string().min(1).max(MAX_CONTENT).describe('The information to remember (be specific and clear)'),
  tags: z.array(z.string()).optional().describe("Optional tags to categorize the memory (e.g., 'preference', 'project', 'personal')"),
});
const recallParams = z.object({
  query: z.string().min(1).describe('What to search for in memories'),
  limit: z.number().int().min(1).max(20).optional().describe('Maximum number of memories to return (default: 5)'),
});
const forgetParams = z.object({
  query: z.string().min(1).describe('What to search for and forget'),
});

/** PocketPaw's memory tools with its names and parameters (`tools/builtin/memory.py`). */
export function createMemoryTools(store: MemoryStore): ToolDefinition[] {
  const remember: ToolDefinition<typeof rememberParams> = {
    name: 'remember',
    description: 'Save important information to long-term memory. Use this to remember facts about the user, their preferences, project details, or anything they want you to remember for future conversations.',
    group: 'memory',
    trust: 'safe',
    parameters: rememberParams,
    execute: async ({ content, tags }, ctx) => {
      // Memories go into every later system prompt: text that tries to instruct the model would
      // be a standing injection, so it is refused rather than saved.
      if (ctx.settings.injection_scan_enabled) {
        const scan = scanText(content);
        if (scan.level === 'high') {
          throw new Error(`Not saved: this text looks like instructions aimed at an AI (${scan.patterns.join(', ')}). Long-term memory keeps facts, not instructions.`);
        }
      }
      const { entry, added } = store.add({ scope: scopeOf(ctx), content, tags: tags ?? [] });
      const tagText = entry.tags.length ? ` with tags: ${entry.tags.join(', ')}` : '';
      return `${added ? '✅ Remembered' : 'Already remembered'}${tagText}: ${preview(entry.content, 100)}`;
    },
  };

  const recall: ToolDefinition<typeof recallParams> = {
    name: 'recall',
    description: 'Search long-term memories. Use this to recall previously saved information about the user, their preferences, or project details.',
    group: 'memory',
    trust: 'safe',
    parameters: recallParams,
    execute: async ({ query, limit }, ctx) => {
      const found = store.search(scopeOf(ctx), query, limit ?? 5, 'any');
      if (!found.length) return `No memories found matching: ${query}`;
      return [`Found ${found.length} memories:\n`, ...found.map(line)].join('\n');
    },
  };

  const forget: ToolDefinition<typeof forgetParams> = {
    name: 'forget',
    description: 'Remove information from long-term memory. Deletes the memories (at most 5) that contain every word of the query. Use when the user wants to correct or remove stored facts.',
    group: 'memory',
    trust: 'sensitive',
    parameters: forgetParams,
    execute: async ({ query }, ctx) => {
      // Every term must match (not just one, as for recall): forgetting "coffee order" must not
      // delete every memory that mentions "order".
      const found = store.search(scopeOf(ctx), query, FORGET_LIMIT, 'all');
      if (!found.length) return `No memories found matching: ${query}`;
      const deleted = store.delete(...found.map((e) => e.id));
      return [`Forgot ${deleted} memory(ies) matching: ${query}`, ...found.map(line)].join('\n');
    },
  };

  return [remember, recall, forget] as unknown as ToolDefinition[];
}
