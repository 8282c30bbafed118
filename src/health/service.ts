import { nowIso } from '../lib/time.js';
import { runChecks, type Check, type HealthInputs } from './checks.js';

export interface HealthSummary {
  status: 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
  check_count: number;
  issues: Check[];
  last_check: string | null;
}

/** Runs health checks and keeps the last result, as PocketPaw's health engine does. */
export class HealthService {
  private last: HealthSummary | null = null;

  constructor(private readonly inputs: HealthInputs) {}

  run(): HealthSummary {
    const checks = runChecks(this.inputs);
    const issues = checks.filter((c) => c.status !== 'ok');
    const status = issues.some((c) => c.status === 'critical') ? 'unhealthy' : issues.length ? 'degraded' : 'healthy';
    this.last = { status, check_count: checks.length, issues, last_check: nowIso() };
    return this.last;
  }

  /** The latest summary; runs the checks on first use. */
  summary(): HealthSummary {
    return this.last ?? this.run();
  }
}
