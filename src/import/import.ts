import fs from 'node:fs';
import path from 'node:path';
import { channelOf } from '../sessions/ids.js';
import type { SessionMerge, SessionStore } from '../sessions/types.js';
import type { MemoryImport } from '../memory/import.js';
import { importConfig, type ConfigImport } from './config.js';
import { importCredentials, type CredentialImport } from './credentials.js';
import { importMcpServers, type McpImport } from './mcp.js';
import { listSessionFiles, locatePocketPawDir, readIndex, type IndexEntry } from './pocketpaw-dir.js';
import { readSessionFile } from './read-session.js';

export interface ImportProgress {
  done: number;
  total: number;
  file: string;
  /** 'indexing' once every file is stored: the search index is built for them all (a while at 1M messages). */
  stage: 'files' | 'indexing';
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
 * by their ids, so a second run adds nothing. A file that cannot be read is reported and
 * skipped. Sessions and long-term memory are one transaction, so one durable commit: an import
 * killed half-way leaves the store as it was, and running it again starts over.
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
    memory: null,
  };
  if (index.problem) summary.notes.push(index.problem);

  // One commit for everything: one fsync instead of one per batch of files, and the search
  // index is written in large runs instead of a flush per session (see SqliteSessionMerger).
  // Files are read and merged one at a time, so memory stays that of one file, not the history.
  options.store.importBatch((merge) => {
    summary.memory = options.importMemory ? options.importMemory(dir.root) : null;
    files.forEach((name, k) => {
      importFile(name, dir.sessionsDir, index.entries, merge, summary);
      options.onProgress?.({ done: k + 1, total: files.length, file: name, stage: 'files' });
    });
    options.onProgress?.({ done: files.length, total: files.length, file: '', stage: 'indexing' });
  });
  return summary;
}

function importFile(name: string, sessionsDir: string, index: Map<string, IndexEntry>, merge: SessionMerge, summary: ImportSummary): void {
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
  // A store error (disk full, …) is not caught: without a savepoint per file, the file would
  // be half-written, so the whole import rolls back and the error reaches the user.
  const result = merge(id, channel, read.messages, userTitle);
  if (result.created) summary.sessionsCreated++;
  else if (result.messagesAdded > 0) summary.sessionsUpdated++;
  else summary.sessionsUnchanged++;
  summary.messagesImported += result.messagesAdded;
  if (userTitle) summary.renamedSessions++;
}
