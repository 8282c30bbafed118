import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { writeFileAtomic } from '../../lib/files.js';

/**
 * What one remote server's sign-in leaves on disk, `<data dir>/mcp_oauth/<server>.json`
 * (mode 600, written atomically). Bound to the server url it was made for: after the owner
 * points the server elsewhere the record reads as empty, so its tokens are never sent to the
 * new url. The PKCE verifier is not here: it lives with the pending flow, in memory.
 */
export interface OAuthRecord {
  server_url: string;
  /** The redirect uri the client was registered with; a different one means register again. */
  redirect_uri?: string;
  client_information?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  discovery?: OAuthDiscoveryState;
}

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class OAuthTokenStore {
  readonly dir: string;

  constructor(home: string) {
    this.dir = path.join(home, 'mcp_oauth');
  }

  /** A file name no server name can turn into a path: plain names as they are, others hashed (`_` never starts a plain one). */
  fileFor(server: string): string {
    const base = PLAIN_NAME.test(server) ? server : `_${crypto.createHash('sha256').update(server).digest('hex').slice(0, 32)}`;
    return path.join(this.dir, `${base}.json`);
  }

  /** The record for `server` at `serverUrl`; empty when there is none, it is unreadable, or it was made for another url. */
  read(server: string, serverUrl: string): OAuthRecord {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.fileFor(server), 'utf8')) as OAuthRecord;
      if (parsed && typeof parsed === 'object' && parsed.server_url === serverUrl) return parsed;
    } catch {
      // missing or unreadable: no sign-in yet
    }
    return { server_url: serverUrl };
  }

  /** Reads, changes and writes the record in one step (the process is the only writer). */
  update(server: string, serverUrl: string, change: (record: OAuthRecord) => void): void {
    const record = this.read(server, serverUrl);
    change(record);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.fileFor(server), `${JSON.stringify(record, null, 2)}\n`, 0o600);
  }

  /** Forgets the sign-in (the owner removed the server, or the client must register again). */
  remove(server: string): void {
    fs.rmSync(this.fileFor(server), { force: true });
  }
}
