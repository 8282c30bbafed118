import { str } from './fields.js';
import { browse, listingText } from '../../files/browse.js';
import { formatStatus, systemSnapshot } from '../../health/system-status.js';
import { action, type WsActionContext, type WsActions } from './types.js';

const UNKNOWN_HEALTH = (err: unknown) => ({ status: 'unknown', error: (err as Error)?.message ?? String(err) });

function listing(conn: WsActionContext, requested: string): string {
  return listingText(browse(requested, conn.ctx.settings().file_jail_path));
}

/**
 * PocketPaw dashboard actions beyond chat (spec §4.3): the `tool` panel (status, directory
 * listings, screenshot, panic), `navigate`, `browse` (file jail rules of §3.16) and health.
 */
export const dashboardActions: WsActions = {
  // Directory listings, the system snapshot and panic are the owner's (file browse is admin on REST too).
  tool: action(['admin'], async (frame, conn) => {
    const name = str(frame.tool);
    switch (name) {
      case 'status':
        return conn.send({ type: 'status', content: formatStatus(await systemSnapshot(conn.ctx.home)) });
      case 'fetch':
        return conn.send({ type: 'message', content: listing(conn, str(frame.path, '~')) });
      case 'screenshot':
        return conn.send({ type: 'error', content: 'Screenshots are not available: this server does not capture the screen.' });
      case 'panic':
        // Stops this dashboard's running turn, the one agent process a dashboard owns here.
        conn.ctx.chat.stop(`websocket:${conn.chatId}`);
        return conn.send({ type: 'message', content: '🛑 PANIC: All agent processes stopped!' });
      default:
        return conn.send({ type: 'error', content: `Unknown tool: ${name}` });
    }
  }),

  navigate: action(['admin'], (frame, conn) => {
    conn.send({ type: 'message', content: listing(conn, str(frame.path, '~')) });
  }),

  browse: action(['admin'], (frame, conn) => {
    const result = browse(str(frame.path, '~'), conn.ctx.settings().file_jail_path);
    const context = 'context' in frame ? { context: frame.context } : {};
    if (!result.ok) return conn.send({ type: 'files', error: result.error, ...context });
    // Directories carry no size over the socket (spec §4.3).
    const files = result.files.map((f) => (f.isDir ? { name: f.name, isDir: true } : f));
    conn.send({ type: 'files', path: result.path, files, ...context });
  }),

  // The same summary the public health probe gives.
  get_health: action([], (_frame, conn) => {
    let data: unknown;
    try {
      data = conn.ctx.health.summary();
    } catch (err) {
      data = UNKNOWN_HEALTH(err);
    }
    conn.send({ type: 'health_update', data });
  }),

  // Like POST /api/v1/health/check: answers once the database check (in its worker) has finished.
  run_health_check: action(['admin'], async (_frame, conn) => {
    let data: unknown;
    try {
      data = await conn.ctx.health.check();
    } catch (err) {
      data = UNKNOWN_HEALTH(err);
    }
    conn.send({ type: 'health_update', data });
  }),

  // Error records carry stack traces and request details.
  get_health_errors: action(['admin'], (frame, conn) => {
    const limit = typeof frame.limit === 'number' && Number.isInteger(frame.limit) && frame.limit > 0 ? Math.min(frame.limit, 500) : 20;
    let errors: unknown[] = [];
    try {
      errors = conn.ctx.errors.list(limit, str(frame.search));
    } catch {
      errors = [];
    }
    conn.send({ type: 'health_errors', errors });
  }),
};
