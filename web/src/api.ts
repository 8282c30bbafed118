/**
 * The public REST API, as the dashboard uses it. Same origin, so the login cookie rides along;
 * from this machine the server's localhost bypass needs nothing at all.
 */

import type { HistoryMessage, SearchHit, SessionSummary } from '@protocol';

export type Settings = Record<string, unknown>;

/** GET /api/v1/tools/sandbox: whether shell commands run in an OS sandbox, and its network policy. */
export interface SandboxStatus {
  available: boolean;
  kind: 'bubblewrap' | 'none';
  reason: string;
  network: 'none' | 'allowlist' | 'all';
  allowed_domains: string[];
  workspace: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;

/** Called on every 401: the app shows the login page. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

function detailOf(body: unknown, status: number): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail;
    if (typeof detail === 'string') return detail;
    // FastAPI-style validation errors: [{loc, msg, type}]
    if (Array.isArray(detail)) {
      return detail.map((d) => (d && typeof d === 'object' && 'msg' in d ? String((d as { msg: unknown }).msg) : String(d))).join('; ');
    }
  }
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return `The server failed (${status}). Try again.`;
  return `Request failed (${status}).`;
}

export async function request(path: string, init: RequestInit = {}, opts: { quiet401?: boolean } = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Cannot reach the PocketPaw server. Is it running?');
  }
  if (res.status === 401) {
    if (!opts.quiet401) onUnauthorized();
    throw new ApiError(401, 'Unauthorized');
  }
  if (!res.ok) {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    throw new ApiError(res.status, detailOf(body, res.status));
  }
  return res;
}

export async function json<T>(path: string, init: RequestInit = {}, opts: { quiet401?: boolean } = {}): Promise<T> {
  return (await (await request(path, init, opts)).json()) as T;
}

export function jsonBody(body: unknown): RequestInit {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

const enc = encodeURIComponent;

export const PAGE_SIZE = 50;

export const api = {
  listSessions(before?: string, limit = PAGE_SIZE, opts: { quiet401?: boolean } = {}): Promise<{ sessions: SessionSummary[]; total: number }> {
    const q = before === undefined ? '' : `&before=${enc(before)}`;
    return json(`/api/sessions?limit=${limit}${q}`, {}, opts);
  },

  async search(q: string, signal?: AbortSignal): Promise<SearchHit[]> {
    const res = await json<{ sessions: SearchHit[] }>(`/api/sessions/search?q=${enc(q)}&limit=20`, { signal });
    return res.sessions;
  },

  history(id: string, signal?: AbortSignal): Promise<HistoryMessage[]> {
    return json(`/api/v1/sessions/${enc(id)}/history?limit=500`, { signal });
  },

  async rename(id: string, title: string): Promise<void> {
    await request(`/api/sessions/${enc(id)}/title`, { method: 'POST', ...jsonBody({ title }) });
  },

  async remove(id: string): Promise<void> {
    await request(`/api/sessions/${enc(id)}`, { method: 'DELETE' });
  },

  async exportSession(id: string, format: 'md' | 'json'): Promise<{ filename: string; blob: Blob }> {
    const res = await request(`/api/v1/sessions/${enc(id)}/export?format=${format}`);
    const disposition = res.headers.get('content-disposition') ?? '';
    const match = /filename="([^"]+)"/.exec(disposition);
    const filename = match?.[1] ?? `pocketpaw-session.${format}`;
    return { filename, blob: await res.blob() };
  },

  getSettings(): Promise<Settings> {
    return json('/api/v1/settings');
  },

  async putSettings(patch: Settings): Promise<void> {
    await request('/api/v1/settings', { method: 'PUT', ...jsonBody({ settings: patch }) });
  },

  /** The shell sandbox's status; null when this server has no such route (404). */
  async sandbox(): Promise<SandboxStatus | null> {
    try {
      return await json<SandboxStatus>('/api/v1/tools/sandbox');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },

  /** Exchanges a token (master, or a QR code's session token) for the HttpOnly login cookie. */
  async login(token: string): Promise<void> {
    await request('/api/auth/login', { method: 'POST', ...jsonBody({ token }) }, { quiet401: true });
  },

  async logout(): Promise<void> {
    await request('/api/auth/logout', { method: 'POST' }, { quiet401: true });
  },
};
