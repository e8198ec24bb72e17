// An SLA policy snapshot for tests: Gold, Mon-Fri 08-17 Europe/Berlin with DE-NW holidays.
import { resolveHolidays, resolveZone } from '../../src/domain/business-calendar.js';
import { defaultEscalationLadder, type SlaPolicySnapshot } from '../../src/domain/sla.js';

const office: [string, string][] = [['08:00', '17:00']];
export const goldPolicy: SlaPolicySnapshot = {
  id: 'gold',
  name: 'Gold',
  version: 1,
  tier: 'gold',
  calendar: { timezone: 'Europe/Berlin', week: { mon: office, tue: office, wed: office, thu: office, fri: office }, holidays: { region: 'DE-NW' } },
  // As intake resolves them (the years around the tests' dates).
  publicHolidays: resolveHolidays('DE-NW', 2024, 2035),
  zoneOffsets: resolveZone('Europe/Berlin', 2024, 2035),
  targets: {
    P1: { firstResponse: 60, nextResponse: 120, resolution: 480 },
    P2: { firstResponse: 120, nextResponse: 240, resolution: 960 },
    P3: { firstResponse: 240, nextResponse: 480, resolution: 1620 },
    P4: { firstResponse: 480, nextResponse: 960, resolution: 2700 },
  },
  escalation: defaultEscalationLadder,
};
