import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { asDataFailure, failingOnDataForGood } from '../../src/activities/data-errors.js';

const pg = (code: string, message = 'refused') => Object.assign(new Error(`Failed query: …`), { cause: Object.assign(new Error(message), { code }) });

describe('activities that fail on their data', () => {
  it.each([['22P02'], ['22021'], ['22P05'], ['23502'], ['23514']])('SQLSTATE %s becomes a non-retryable DataError', (code) => {
    const failure = asDataFailure(pg(code, 'invalid input syntax for type json'));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'DataError', nonRetryable: true, message: `Postgres refused the data (SQLSTATE ${code}): invalid input syntax for type json` });
  });

  it.each([['23505'], ['23503'], ['40001'], ['08006']])('SQLSTATE %s (a race, a lost connection) stays retryable', (code) => {
    const err = pg(code);
    expect(asDataFailure(err)).toBe(err);
  });

  it('wraps every activity of the object and passes results and other errors through', async () => {
    const activities = failingOnDataForGood({
      ok: (n: number) => Promise.resolve(n + 1),
      refused: async () => Promise.reject(pg('22021')),
      down: async () => Promise.reject(new Error('ECONNREFUSED')),
    });
    expect(await activities.ok(1)).toBe(2);
    await expect(activities.refused()).rejects.toMatchObject({ type: 'DataError', nonRetryable: true });
    await expect(activities.down()).rejects.toThrow('ECONNREFUSED');
  });

  it('leaves the activities named to keep retrying as they are (an IMAP session)', async () => {
    const activities = failingOnDataForGood({ pollMailbox: async () => Promise.reject(pg('22021')) }, ['pollMailbox']);
    await expect(activities.pollMailbox()).rejects.not.toBeInstanceOf(ApplicationFailure);
  });
});
