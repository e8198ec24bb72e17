import { describe, expect, it } from 'vitest';
import { impacts, priorities, urgencies } from '../../src/domain/enums.js';
import { priorityFor } from '../../src/domain/priority.js';

describe('priority matrix', () => {
  it.each([
    ['high', 'high', 'P1'],
    ['high', 'medium', 'P2'],
    ['medium', 'high', 'P2'],
    ['high', 'low', 'P3'],
    ['medium', 'medium', 'P3'],
    ['low', 'high', 'P3'],
    ['medium', 'low', 'P4'],
    ['low', 'medium', 'P4'],
    ['low', 'low', 'P4'],
  ] as const)('impact %s x urgency %s is %s', (impact, urgency, expected) => {
    expect(priorityFor(impact, urgency)).toBe(expected);
  });

  it('never lowers the priority when impact or urgency rises', () => {
    const rank = (p: string) => priorities.indexOf(p as never);
    for (let i = 1; i < impacts.length; i++) {
      for (const u of urgencies) expect(rank(priorityFor(impacts[i - 1]!, u))).toBeLessThanOrEqual(rank(priorityFor(impacts[i]!, u)));
    }
    for (let j = 1; j < urgencies.length; j++) {
      for (const i of impacts) expect(rank(priorityFor(i, urgencies[j - 1]!))).toBeLessThanOrEqual(rank(priorityFor(i, urgencies[j]!)));
    }
  });
});
