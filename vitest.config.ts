import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    globalSetup: ['tests/setup/global-setup.ts'],
    // Generous: a loaded two-core machine runs argon2 and fresh databases slowly; no test asserts a time.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Two cores: run files in two workers; each file has its own database.
    maxWorkers: 2,
    env: { ASTRO_TELEMETRY_DISABLED: '1' },
  },
});
