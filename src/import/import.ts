import fs from 'node:fs';
import path from 'node:path';
import { channelOf } from '../sessions/ids.js';
import type { SessionStore } from '../sessions/types.js';
import type { MemoryImport } from '../memory/import.js';
import { importConfig, type ConfigImport } from './config.js';
import { importCredentials, type CredentialImport } from './credentials.js';
import { importMcpServers, type McpImport } from './mcp.js';
import { listSessionFiles, locatePocketPawDir, readIndex, type IndexEntry } from './pocketpaw-dir.js';
import { readSessionFile } from './read-session.js';

/** Session files stored per commit during import. */
const FILES_PER_COMMIT = 200;

export interface ImportProgress {
  done: number;
  total: number;
  file: string;
}

export interface ImportSummary {
  source: string;
  sessionFiles: number;
  sessionsCreated: number;
  sessionsUpdated: number;
  sessionsUnchanged: number;
  messagesImported: number;
  messagesSkipped: number;
  renamedSessions: number;
  /** Files that were not imported, with the reason; the rest of the import went on. */
  failures: Array<{ file: string; reason: string }>;
  notes: string[];
  credentials: CredentialImport;
  config: ConfigImport;
  /** PocketPaw's MCP servers (`mcp_servers.json`). */
  mcp: McpImport;
  /** Null when no memory importer was given. */
  memory: MemoryImport | null;
}

export interface ImportOptions {
  home: string;
  store: SessionStore;
  onProgress?: (p: ImportProgress) => void;
  /** Imports PocketPaw's long-term memory files; the memory module provides it. */
  importMemory?: (sourceRoot: string) => MemoryImport;
}

/**
 * Imports a PocketPaw 0.4.4 data dir (spec §7.2, §7.3, §11.1). Idempotent: messages are keyed
 * by their ids, so a second run adds nothing. Each session is one transaction; a bad file is
 * reported and skipped.
 */
export function importPocketPaw(sourceDir: string, options: ImportOptions): ImportSummary {
  const dir = locatePocketPawDir(sourceDir);
  // Decided before anything is written: credentials and secrets only come into a fresh install.
  const fresh = !fs.existsSync(path.join(options.home, 'access_token'));
  const credentials = importCredentials(dir.root, options.home);
  const config = importConfig(dir.root, options.home, fresh);
  const mcp = importMcpServers(dir.root, options.home);
  const index = readIndex(dir.sessionsDir);
  const files = listSessionFiles(dir.sessionsDir);
  const summary: ImportSummary = {
    source: dir.root, sessionFiles: files.length, sessionsCreated: 0, sessionsUpdated: 0, sessionsUnchanged: 0,
    messagesImported: 0, messagesSkipped: 0, renamedSessions: 0, failures: [], notes: [], credentials, config, mcp,
    memory: options.importMemory ? options.importMemory(dir.root) : null,
  };
  if (index.problem) summary.notes.push(index.problem);

  // Many sessions per commit: one fsync per batch instead of per file. A file that fails to
  // store is rolled back alone (its merge is a savepoint) and reported; the batch goes on.
  for (let start = 0; start < files.length; start += FILES_PER_COMMIT) {
    options.store.batch(() => {
      files.slice(start, start + FILES_PER_COMMIT).forEach((name, k) => {
        importFile(name, dir.sessionsDir, index.entries, options.store, summary);
        options.onProgress?.({ done: start + k + 1, total: files.length, file: name });
      });
    });
  }
  return summary;
}

function importFile(name: string, sessionsDir: string, index: Map<string, IndexEntry>, store: SessionStore, summary: ImportSummary): void {
  const id = name.slice(0, -'.json'.length);
  const read = readSessionFile(path.join(sessionsDir, name));
  if (!read.ok) {
    summary.failures.push({ file: name, reason: read.reason });
    return;
  }
  summary.messagesSkipped += read.skippedMessages;
  const entry = index.get(id);
  const userTitle = typeof entry?.user_title === 'string' && entry.user_title.trim() ? entry.user_title : null;
  const channel = typeof entry?.channel === 'string' && entry.channel ? entry.channel : channelOf(id);
  try {
    const result = store.merge(id, channel, read.messages, userTitle);
    if (result.created) summary.sessionsCreated++;
    else if (result.messagesAdded > 0) summary.sessionsUpdated++;
    else summary.sessionsUnchanged++;
    summary.messagesImported += result.messagesAdded;
    if (userTitle) summary.renamedSessions++;
  } catch (err) {
    summary.failures.push({ file: name, reason: `could not be stored: ${(err as Error).message}` });
  }
}
