import { describe, expect, it } from 'vitest';
import type { StoredMail } from '../../src/mail/imap.js';
import { threadsOf } from '../../src/mail/imap.js';

const mail = (id: string, threadKeys: string[]): StoredMail => ({ id, duplicate: false, status: 'received', incidentNumber: null, threadKeys });

describe('threadsOf', () => {
  it('keeps a thread together and in arrival order, and separates unrelated mail', () => {
    const groups = threadsOf([
      mail('a', ['<a@x>']),
      mail('b', ['<b@x>']),
      mail('a-reply', ['<ar@x>', '<a@x>']),
      mail('a-reply-reply', ['<arr@x>', '<ar@x>']),
      mail('c', ['<c@x>', 'INC-2026-000001']),
      mail('d', ['<d@x>', 'INC-2026-000001']),
      mail('e', []),
    ]);
    expect(groups.map((g) => g.map((m) => m.id))).toEqual([['a', 'a-reply', 'a-reply-reply'], ['b'], ['c', 'd'], ['e']]);
  });

  it('joins two threads that a later mail connects', () => {
    const groups = threadsOf([mail('x', ['<x@x>']), mail('y', ['<y@x>']), mail('xy', ['<xy@x>', '<x@x>', '<y@x>'])]);
    expect(groups.map((g) => g.map((m) => m.id))).toEqual([['x', 'y', 'xy']]);
  });
});
