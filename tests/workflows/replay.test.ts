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
        // An incident with follow-up work, and each kind of child it started.
        'follow-ups-incident.json',
        'follow-ups-child-ticket.json',
        'follow-ups-service-order.json',
        'follow-ups-change.json',
        'follow-ups-callback.json',
      ]));
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
