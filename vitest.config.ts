import { defineConfig } from 'vitest/config';

// Tests that run many workflows in real time on their own Temporal dev server (a worker with a tiny
// cache, a worker stopped across thresholds) load both cores for a minute or more; they run after
// the others, so the time-skipping workflow tests never share the machine with them.
const heavy = ['tests/integration/worker-cache.test.ts', 'tests/integration/escalation-late.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/setup.ts'],
    // Integration files start their own Temporal server and worker; two at a time suit 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'main', include: ['tests/**/*.test.ts'], exclude: heavy, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'real-time', include: heavy, sequence: { groupOrder: 1 } } },
    ],
  },
});
