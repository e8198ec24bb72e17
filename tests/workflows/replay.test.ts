// Recorded histories must replay against today's workflow code without determinism errors.
// A failure here means a workflow change needs patched() (see the README).
import { readdir, readFile } from 'node:fs/promises';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/worker.js';

const dir = new URL('../histories/', import.meta.url);
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    expect(files).toEqual(expect.arrayContaining([
        'incident-lifecycle.json',
        'incident-open.json',
        'mail-incident-lifecycle.json',
        // Since the mail-states patch: each mail queued, then sent (one deferred once: failed, then sent).
        'mail-states-incident-lifecycle.json',
        // An incident with follow-up work, and each kind of child it started.
        'follow-ups-incident.json',
        'follow-ups-child-ticket.json',
        'follow-ups-service-order.json',
        'follow-ups-change.json',
        'follow-ups-callback.json',
        // Jammed before issue 13: a note with an unpaired surrogate, its timeline write retrying.
        'pre-hardening-jammed-incident.json',
      ]));
  });

  it('bundles no holiday rules, time-zone database or date library into the workflows', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
    for (const library of ['date-holidays', 'luxon', 'moment', 'moment-timezone', 'astronomia']) expect(code, library).not.toContain(`./node_modules/${library}/`);
    // Every cached workflow holds its own copy of the modules: about 0.8 MB of code today, was 10 MB.
    const withoutSourceMap = code.slice(0, code.lastIndexOf('//# sourceMappingURL='));
    expect(withoutSourceMap.length).toBeLessThan(1.5 * 1024 * 1024);
    expect(withoutSourceMap).toContain('./src/domain/business-time.ts');
  });

  it('replays every recorded history', async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
    for (const file of files) {
      // The CLI / Web UI JSON format; runReplayHistory converts it itself.
      const history = JSON.parse(await readFile(new URL(file, dir), 'utf8')) as { events: unknown[] };
      expect(history.events.length, file).toBeGreaterThan(5);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, file), file).resolves.toBeUndefined();
    }
  });
});
