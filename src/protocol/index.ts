/** The wire protocol shared by the server and the dashboard (`web/` imports it as `@protocol`). */
export type * from './frames.js';
export type * from './mcp.js';
export * from './sessions.js';
export * from './channels.js';
export type * from './skills.js';
