/**
 * Runs `npx vitest run <files>` with extra environment, for the CI steps that run a named subset of
 * the integration suite against special infrastructure (tests/replica-run.ts, tests/pgbouncer-run.ts).
 * A SIGINT/SIGTERM stops vitest first, then `cleanup` runs, so nothing outlives the step.
 */
import { spawn } from 'node:child_process';

export async function runVitest(files: string[], env: Record<string, string>, cleanup: () => Promise<void>): Promise<number> {
  const child = spawn('npx', ['vitest', 'run', ...files], { stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...env } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  await cleanup();
  return code;
}
