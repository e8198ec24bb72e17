// `npm run histories:record`: runs tests/histories/*.record.ts to (re)record workflow histories
// that the replay test checks in CI. Re-record only on purpose, when a history format changes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/histories/*.record.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
