import fs from 'node:fs';
import path from 'node:path';
import { parseApiKeyFile } from '../auth/api-keys.js';
import { writeFileAtomic } from '../lib/files.js';

export interface CredentialImport {
  token: 'imported' | 'kept-existing' | 'none';
  apiKeys: number | 'kept-existing' | 'none';
  problems: string[];
}

/**
 * Into a fresh data dir (no token yet) PocketPaw's access token and API keys come along, so
 * the user's clients keep working (spec §11.9). An existing token is never replaced.
 */
export function importCredentials(sourceRoot: string, home: string): CredentialImport {
  const result: CredentialImport = { token: 'none', apiKeys: 'none', problems: [] };
  const ourToken = path.join(home, 'access_token');
  const fresh = !fs.existsSync(ourToken);

  const theirToken = path.join(sourceRoot, 'access_token');
  if (fs.existsSync(theirToken)) {
    if (!fresh) result.token = 'kept-existing';
    else {
      const token = fs.readFileSync(theirToken, 'utf8').trim();
      if (token) {
        writeFileAtomic(ourToken, token, 0o600);
        result.token = 'imported';
      } else result.problems.push('access_token is empty: a new token will be created');
    }
  }

  const theirKeys = path.join(sourceRoot, 'api_keys.json');
  const ourKeys = path.join(home, 'api_keys.json');
  if (fs.existsSync(theirKeys)) {
    if (!fresh || fs.existsSync(ourKeys)) result.apiKeys = 'kept-existing';
    else {
      try {
        const records = parseApiKeyFile(fs.readFileSync(theirKeys, 'utf8'));
        writeFileAtomic(ourKeys, JSON.stringify(records, null, 2), 0o600);
        result.apiKeys = records.length;
      } catch (err) {
        result.problems.push(`api_keys.json not imported: ${(err as Error).message}`);
      }
    }
  }
  return result;
}
