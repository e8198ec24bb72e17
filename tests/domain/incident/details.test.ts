import { describe, expect, it } from 'vitest';
import { incidentDetails, markdownText } from '../../../src/domain/incident/details.js';
import { openIncident } from '../../../src/domain/incident/state.js';
import type { SlaPicture } from '../../../src/domain/sla.js';
import { testIntake } from '../../support/intake.js';

const state = {
  ...openIncident(testIntake({ number: 'INC-2026-000042', title: 'Plotter *E42* | Werk_2', priority: 'P2' })).state,
  status: 'in_progress' as const,
  customer: { id: 'c-1', number: 'K-10001', name: 'Müller Maschinenbau' },
  contract: { id: 'k-1', number: 'V-2026-7', tier: 'gold' as const },
  assignee: { id: 'u-1', name: 'Anna Agent' },
  assignedGroup: '1st-level',
  escalationLevel: 2,
  slaBreached: true,
};
const picture: SlaPicture = {
  level: 2,
  breached: true,
  nextThreshold: null,
  nextDeadline: '2026-03-03T16:00:00.000Z',
  clocks: [
    { target: 'firstResponse', state: 'breached', budgetMinutes: 60, dueAt: '2026-03-02T10:00:00.000Z', elapsedMinutes: 90, remainingMinutes: -30, pausedMinutes: 0, level: 2, thresholds: { warning: null, breach: null, management: null } },
    { target: 'resolution', state: 'paused', budgetMinutes: 960, dueAt: null, elapsedMinutes: 90, remainingMinutes: 870, pausedMinutes: 0, level: 0, thresholds: { warning: null, breach: null, management: null } },
  ],
};

describe('the current details of an incident in the Temporal UI', () => {
  const details = incidentDetails({ ...state, sla: { name: 'Gold', version: 3 } as never }, picture);
  const lines = details.split('\n');

  it('is a Markdown list: the headline, a blank line, then one item per fact on its own line', () => {
    expect(lines[0]).toBe('**INC-2026-000042** Plotter \\*E42\\* \\| Werk\\_2');
    expect(lines[1]).toBe('');
    expect(lines.slice(2).every((l) => l.startsWith('- ') || l.startsWith('  - '))).toBe(true);
  });

  it('names status, priority, customer, contract, assignee and escalation level', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        '- **Status:** in progress',
        '- **Priority:** P2',
        '- **Customer:** K-10001 Müller Maschinenbau',
        '- **Contract:** gold (V-2026-7)',
        '- **Assignee:** Anna Agent · **Group:** 1st-level',
        '- **Escalation level:** 2 (breach) · **SLA breached**',
      ]),
    );
  });

  it('lists each SLA target with its due instant and state under the policy', () => {
    const sla = lines.indexOf('- **SLA:** Gold v3, P2');
    expect(sla).toBeGreaterThan(0);
    expect(lines.slice(sla + 1)).toEqual(['  - First response: due 2026-03-02 10:00 UTC, **breached**', '  - Resolution: due when the pause ends, **paused**']);
  });

  it('says so when there is no SLA, no contract and nobody assigned', () => {
    const bare = incidentDetails(openIncident(testIntake({ number: 'INC-2026-000043' })).state, undefined);
    expect(bare).toContain('- **SLA:** none');
    expect(bare).toContain('- **Contract:** none');
    expect(bare).toContain('- **Assignee:** nobody · **Group:** none');
    expect(bare).toContain('- **Escalation level:** 0 (on track)');
    expect(bare).not.toContain('SLA breached');
  });
});

describe('markdownText', () => {
  it('keeps text from people literal and on one line', () => {
    expect(markdownText('a <b>\n[link](x) `code`')).toBe('a \\<b\\> \\[link\\](x) \\`code\\`');
  });
});
