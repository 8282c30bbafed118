/**
 * MCP sign-in prompts: a server that needs browser OAuth makes the server broadcast
 * `mcp_oauth_redirect` (spec §4.4). The dashboard never navigates by itself: it shows where the
 * link goes and the owner opens it.
 */
import { createStore } from '../store';

export interface OAuthPrompt {
  server: string;
  url: string;
  /** The host the link goes to, shown so the owner sees where they are sent. */
  host: string;
}

export const oauthPrompts = createStore<{ items: OAuthPrompt[] }>({ items: [] });

/** An http(s) URL's host, or null for anything else (`javascript:`, `data:`, garbage). */
export function safeHost(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.host : null;
  } catch {
    return null;
  }
}

export function onOAuthRedirect(frame: { url?: unknown; server?: unknown }): void {
  const url = typeof frame.url === 'string' ? frame.url : '';
  const server = typeof frame.server === 'string' && frame.server ? frame.server : 'An MCP server';
  const host = safeHost(url);
  if (!host) return;
  // One prompt per server: a newer link replaces the older one.
  oauthPrompts.set((s) => ({ items: [...s.items.filter((p) => p.server !== server), { server, url, host }] }));
}

export function dismissOAuth(server: string): void {
  oauthPrompts.set((s) => ({ items: s.items.filter((p) => p.server !== server) }));
}
