import { defineConfig } from 'vitest/config';

// Groups run one after the other (sequence.groupOrder). The workflow tests on the time-skipping
// server that sleep through hours or months (an incident with follow-up work, a child ticket, the
// SLA timers) each run in a group of their own, and each of their tests on a server of its own: on
// a shared server, a sleep after an earlier test had terminated its incidents mid-task now and then
// ran in real time, and beside other loaded files they timed out more often. The files that run
// many workflows in real time on their own dev server (a worker with a tiny cache, a worker stopped
// across thresholds) run last.
const alone = ['tests/workflows/incident-sla.test.ts', 'tests/workflows/incident-follow-ups.test.ts', 'tests/workflows/incident-child-ticket.test.ts'];
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
      { extends: true, test: { name: 'main', include: ['tests/**/*.test.ts'], exclude: [...alone, ...heavy], sequence: { groupOrder: 0 } } },
      ...alone.map((file, i) => ({ extends: true as const, test: { name: file.split('/').pop()!.replace('.test.ts', ''), include: [file], sequence: { groupOrder: 1 + i } } })),
      { extends: true, test: { name: 'real-time', include: heavy, sequence: { groupOrder: 1 + alone.length } } },
    ],
  },
});
