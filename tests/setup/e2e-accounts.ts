/**
 * Accounts reserved for browser tests. Demo accounts are shared by every spec, and two specs running
 * at once on one account (one submitting the final quiz while the other answers it) make each other
 * fail. So the e2e server adds a pool of plain learner accounts, and each test takes its own: Playwright
 * gives every worker process a run-unique index and runs a worker's tests one after another, so
 * (worker index, n-th account in that worker) never repeats within a run.
 */
export const POOL_PER_WORKER = 25;
export const POOL_WORKERS = 16;
export const POOL_PASSWORD = 'hoc-thu-2026';

/** Phone (normal form) of pool account `i`. */
export function poolPhone(i: number): string {
  return `+849130${String(i).padStart(5, '0')}`;
}

/** All pool phones. */
export function poolPhones(): string[] {
  return Array.from({ length: POOL_PER_WORKER * POOL_WORKERS }, (_, i) => poolPhone(i));
}
