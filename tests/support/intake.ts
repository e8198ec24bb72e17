// A minimal, valid incident intake for tests that start workflows or write intakes directly.
import type { IncidentIntake } from '../../src/domain/incident/state.js';

export function testIntake(overrides: Partial<IncidentIntake> & { number: string }): IncidentIntake {
  return {
    title: 'Test incident',
    description: '',
    channel: 'api',
    impact: null,
    urgency: null,
    priority: 'P3',
    receivedAt: new Date().toISOString(),
    openedBy: { id: 'system', name: 'test' },
    customer: null,
    contact: null,
    asset: null,
    contract: null,
    slaPolicyId: null,
    ...overrides,
  };
}
