// The ITIL priority matrix: impact x urgency -> P1 (critical) .. P4 (low).
import type { Impact, Priority, Urgency } from './enums.js';

const matrix: Record<Impact, Record<Urgency, Priority>> = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

export function priorityFor(impact: Impact, urgency: Urgency): Priority {
  return matrix[impact][urgency];
}

/** The default when a caller gives neither priority nor impact and urgency. */
export const defaultImpact: Impact = 'medium';
export const defaultUrgency: Urgency = 'medium';
