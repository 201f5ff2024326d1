import { defineConfig } from '@playwright/test';

/** Set by tests/run.ts to a free port; otherwise derived from the checkout path so parallel checkouts do not clash. */
const port = Number(process.env.E2E_PORT || 4400 + ([...process.cwd()].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % 1000));
const baseURL = `http://127.0.0.1:${port}`;

/** Debian's Chromium (no browser downloads here); tests/run.ts finds it and exports CHROMIUM_PATH. */
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  use: {
    baseURL,
    locale: 'vi-VN',
    launchOptions: {
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    // Through npm's Node 24 (process.execPath of the Playwright runner).
    command: `"${process.execPath}" tests/setup/e2e-server.ts`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    // SIGTERM, not the default SIGKILL: tests/setup/e2e-server.ts then stops the app and drops its database.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    timeout: 120_000,
    env: { PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '1' },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
