import { nowIso } from '../lib/time.js';
import { DATABASE_CHECK_POSITION, databaseIntegrity, runChecks, type Check, type HealthInputs } from './checks.js';
import { startIntegrityCheck, type IntegrityRun } from './integrity.js';

export interface HealthSummary {
  status: 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
  /** Checks with a result: the database's joins once its first check finished. */
  check_count: number;
  issues: Check[];
  last_check: string | null;
  /** Only while the database's first integrity check runs (PocketPaw's summary has the same optional field). */
  message?: string;
}

export const CHECKING_DATABASE = 'The database integrity check is running; its result is added when it finishes.';

/**
 * Runs health checks and keeps the last result, as PocketPaw's health engine does. The quick
 * checks (data dir, token file, disk) run on the caller's thread; the database's integrity check
 * (`quick_check`, which reads the whole file: 10–15 s at 10k sessions) runs in a worker thread,
 * started once the server listens (`start()`), so no request waits for it. Until its first
 * result the summary is made of the other checks, as PocketPaw merges its background checks in
 * when they finish. Results are kept until the checks run again (`run()`, `check()`: the
 * "run checks now" of the API and the dashboard).
 */
export class HealthService {
  private last: HealthSummary | null = null;
  private quick: Check[] = [];
  private database: Check | null = null;
  private inFlight: { run: IntegrityRun; done: Promise<void> } | null = null;
  private closed = false;

  constructor(private readonly inputs: HealthInputs) {}

  /** Starts the database check in the background if it has never run (the server calls this once it listens). */
  start(): void {
    if (!this.database) this.checkDatabase();
  }

  /** Runs the quick checks now and starts the database check again; answers without waiting for it. */
  run(): HealthSummary {
    this.quick = runChecks(this.inputs);
    this.checkDatabase();
    return this.compose();
  }

  /** Runs every check and answers once the database's has finished too. */
  async check(): Promise<HealthSummary> {
    this.quick = runChecks(this.inputs);
    await this.checkDatabase();
    return this.compose();
  }

  /** The latest summary; the first use runs the quick checks (and starts the database's if the server has not). */
  summary(): HealthSummary {
    if (this.last) return this.last;
    this.quick = runChecks(this.inputs);
    this.start();
    return this.compose();
  }

  /** Stops a database check still running (the app closing); nothing runs afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.inFlight?.run.stop();
  }

  /** One database check at a time: a second caller shares the one running. */
  private checkDatabase(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.inFlight) return this.inFlight.done;
    const run = startIntegrityCheck(this.inputs.db);
    const done = run.outcome.then((outcome) => {
      this.inFlight = null;
      if (this.closed) return;
      this.database = databaseIntegrity(outcome);
      if (this.quick.length) this.compose();
    });
    this.inFlight = { run, done };
    return done;
  }

  private compose(): HealthSummary {
    const checks = [...this.quick];
    if (this.database) checks.splice(DATABASE_CHECK_POSITION, 0, this.database);
    const issues = checks.filter((c) => c.status !== 'ok');
    const status = issues.some((c) => c.status === 'critical') ? 'unhealthy' : issues.length ? 'degraded' : 'healthy';
    this.last = { status, check_count: checks.length, issues, last_check: nowIso() };
    if (!this.database) this.last.message = CHECKING_DATABASE;
    return this.last;
  }
}
