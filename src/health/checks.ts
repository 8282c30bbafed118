import { nowIso } from '../lib/time.js';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { IntegrityOutcome } from './integrity.js';

export type CheckStatus = 'ok' | 'warning' | 'critical';

export interface Check {
  check_id: string;
  name: string;
  category: string;
  status: CheckStatus;
  message: string;
  fix_hint: string;
  timestamp: string;
  details: Record<string, unknown>;
}

export interface HealthInputs {
  home: string;
  db: Database.Database;
  tokenFile: string;
}

const LOW_DISK_BYTES = 500 * 1024 * 1024;
const CRITICAL_DISK_BYTES = 50 * 1024 * 1024;

type CheckResult = Omit<Check, 'check_id' | 'name' | 'category' | 'timestamp'>;

const ok = (message: string, details: Record<string, unknown> = {}): CheckResult => ({ status: 'ok', message, fix_hint: '', details });

function dataDirWritable({ home }: HealthInputs): CheckResult {
  const probe = path.join(home, `.health-${process.pid}`);
  try {
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
  } catch (err) {
    return { status: 'critical', message: `Cannot write to ${home}: ${(err as Error).message}`, fix_hint: `Make ${home} writable by the user running PocketPaw.`, details: {} };
  }
  const mode = fs.statSync(home).mode & 0o777;
  if (mode & 0o077) {
    return { status: 'warning', message: `${home} is readable by other users (mode ${mode.toString(8)})`, fix_hint: `chmod 700 ${home}`, details: { mode: mode.toString(8) } };
  }
  return ok(`${home} is writable and private`);
}

/**
 * The database's integrity check runs apart from the others, in a worker (integrity.ts): it reads
 * the whole file. It is listed second, where it always was.
 */
export const DATABASE_CHECK = { check_id: 'database_integrity', name: 'Database integrity', category: 'storage' } as const;
export const DATABASE_CHECK_POSITION = 1;

/** The database check's verdict from the outcome of `quick_check` (run in a worker: integrity.ts). */
export function databaseIntegrity(outcome: IntegrityOutcome): Check {
  let result: CheckResult;
  if (outcome.kind === 'ok') result = ok('Database passed its integrity check');
  else if (outcome.kind === 'corrupt') {
    result = {
      status: 'critical', message: `Database integrity check failed: ${outcome.problems.slice(0, 3).join('; ')}`,
      fix_hint: 'Stop PocketPaw, back up pocketpaw.db, and restore from a backup or re-import.', details: { problems: outcome.problems },
    };
  } else result = { status: 'critical', message: `Check failed: ${outcome.error}`, fix_hint: '', details: {} };
  return { ...DATABASE_CHECK, timestamp: nowIso(), ...result };
}

function tokenPermissions({ tokenFile }: HealthInputs): CheckResult {
  let mode: number;
  try {
    mode = fs.statSync(tokenFile).mode & 0o777;
  } catch {
    return { status: 'critical', message: 'The access token file is missing', fix_hint: 'Restart PocketPaw to create a new token.', details: {} };
  }
  if (mode & 0o077) {
    return { status: 'critical', message: `The access token file is readable by others (mode ${mode.toString(8)})`, fix_hint: `chmod 600 ${tokenFile}`, details: { mode: mode.toString(8) } };
  }
  return ok('The access token file is private (mode 600)');
}

function diskSpace({ home }: HealthInputs): CheckResult {
  const s = fs.statfsSync(home);
  const free = s.bavail * s.bsize;
  const details = { free_bytes: free };
  const mb = Math.round(free / 1024 / 1024);
  if (free < CRITICAL_DISK_BYTES) return { status: 'critical', message: `Only ${mb} MB free on the data disk`, fix_hint: 'Free disk space: PocketPaw cannot save messages on a full disk.', details };
  if (free < LOW_DISK_BYTES) return { status: 'warning', message: `Low disk space: ${mb} MB free`, fix_hint: 'Free some disk space soon.', details };
  return ok(`${mb} MB free on the data disk`, details);
}

const CHECKS: Array<{ id: string; name: string; category: string; run: (i: HealthInputs) => CheckResult }> = [
  { id: 'data_dir_writable', name: 'Data directory', category: 'storage', run: dataDirWritable },
  { id: 'token_permissions', name: 'Access token permissions', category: 'security', run: tokenPermissions },
  { id: 'disk_space', name: 'Disk space', category: 'storage', run: diskSpace },
];

/** Runs every quick check (all but the database's); a check that throws is reported as critical with its error, not as a 500. */
export function runChecks(inputs: HealthInputs): Check[] {
  const timestamp = nowIso();
  return CHECKS.map((c) => {
    let result: CheckResult;
    try {
      result = c.run(inputs);
    } catch (err) {
      result = { status: 'critical', message: `Check failed: ${(err as Error).message}`, fix_hint: '', details: {} };
    }
    return { check_id: c.id, name: c.name, category: c.category, timestamp, ...result };
  });
}
