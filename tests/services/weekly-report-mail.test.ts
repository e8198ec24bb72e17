import { describe, expect, it } from 'vitest';
import { headlineLine } from '../../src/services/reports/weekly-report-mail.js';

const gold = { tier: 'gold' as const, ended: 80, breached: 3, compliancePercent: 96.2, previousPercent: 97.5, changePoints: -1.3, targetPercent: 95 };

describe('the weekly report mail\'s headline', () => {
  it('writes a tier\'s figure, its change and its target in the subscriber\'s language', () => {
    expect(headlineLine(gold, 'de')).toBe('Gold 96,2\u00a0% (\u22121,3\u00a0Pp.) – Ziel 95\u00a0%');
    expect(headlineLine(gold, 'en')).toBe('Gold 96.2% (\u22121.3 pp) – target 95%');
    expect(headlineLine({ ...gold, tier: 'platinum', changePoints: 0.4 }, 'de')).toBe('Platin 96,2\u00a0% (+0,4\u00a0Pp.) – Ziel 95\u00a0%');
    expect(headlineLine({ ...gold, compliancePercent: null, changePoints: null }, 'en')).toBe('Gold no targets ended – target 95%');
  });
});
