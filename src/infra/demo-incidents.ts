// A handful of demo incidents, opened and worked through the same paths as the API.
import { eq } from 'drizzle-orm';
import { users } from '../db/schema/index.js';
import type { ActivityType, UserRole } from '../domain/enums.js';
import type { Actor } from '../domain/kernel.js';
import { sendIncidentCommand } from '../services/incident-commands.js';
import { openIncidentFromRequest, type IncidentRequest, type IntakeDeps } from '../services/incident-intake.js';
import { logTime } from '../services/time-entries/index.js';
import { defaultMailFrom } from '../mail/outbound.js';
import { defaultBusinessTimezone } from '../domain/ticket-number.js';
import { addNoteUpdate, assignUpdate, resolveUpdate } from '../workflows/incident/messages.js';

const requests: IncidentRequest[] = [
  { title: 'Server does not boot after firmware update', description: 'DL380 hangs at POST since last night.', serialNumber: 'SRV-DL380-7731', contactEmail: 'petra.mueller@mueller-maschinenbau.example', impact: 'high', urgency: 'high', channel: 'phone' },
  { title: 'Firewall VPN tunnel to branch office drops', description: 'IPsec tunnel Nord drops every 20 minutes.', serialNumber: 'FW-FG100F-0042', contactEmail: 's.lehmann@stadtwerke-beispielstadt.example', impact: 'medium', urgency: 'high', channel: 'email' },
  { title: 'Till system prints no receipts', description: 'Receipt printer shows paper jam, no paper is jammed.', customerNumber: 'K-10003', contactEmail: 'info@baeckerei-schmidt.example', impact: 'medium', urgency: 'medium', channel: 'phone' },
  { title: 'Laptop keyboard: several keys dead', description: 'Keys E, R and T do not react.', serialNumber: 'NB-T14-4711', contactEmail: 'c.weber@weber-partner.example', impact: 'low', urgency: 'low', channel: 'portal' },
  { title: 'Printer asks for toner although new toner installed', description: 'MX611 in the office 2nd floor.', serialNumber: 'PRN-MX611-2290', contactEmail: 'jens.kraft@mueller-maschinenbau.example', impact: 'low', urgency: 'medium', channel: 'email' },
];

export async function openDemoIncidents(deps: IntakeDeps): Promise<string[]> {
  const [agent] = await deps.db.select().from(users).where(eq(users.role, 'agent')).limit(1);
  const actor: Actor = agent ? { id: `user:${agent.id}`, name: agent.name } : { id: 'system', name: 'Demo' };
  const numbers: string[] = [];
  for (const request of requests) {
    const { incident } = await openIncidentFromRequest(deps, request, { actor });
    numbers.push(incident.number);
  }
  if (agent) {
    const [first, second, third] = numbers;
    await sendIncidentCommand(deps.temporal, first!, assignUpdate, { assigneeId: agent.id, assigneeName: agent.name, group: '2nd-level', actor });
    await sendIncidentCommand(deps.temporal, first!, addNoteUpdate, { text: 'Customer reports the update ran via iLO at 02:00.', actor });
    await sendIncidentCommand(deps.temporal, second!, assignUpdate, { group: 'network', actor });
    await sendIncidentCommand(deps.temporal, third!, resolveUpdate, { resolution: 'Reset the printer sensor by phone; receipts print again.', actor });
    await logDemoTime(deps, { userId: agent.id, name: agent.name, role: agent.role }, numbers);
  }
  return numbers;
}

/** Work on the incidents by index: covered (Gold), drawn from a quota (Silver, 10 h a month), billable (credit hold). */
const demoWork: [number, number, ActivityType, string][] = [
  [0, 45, 'remote', 'Analysed the iLO log, rolled back the firmware.'],
  [2, 120, 'onsite', 'Cleaned and recalibrated the receipt printer on site.'],
  [2, 30, 'travel', 'Drive to the bakery.'],
  [3, 60, 'remote', 'Remote diagnosis of the keyboard.'],
];

/** Logs some demo time so the billing routes have something to show; a failure is only logged. */
async function logDemoTime(deps: IntakeDeps, actor: { userId: string; name: string; role: UserRole }, numbers: string[]): Promise<void> {
  const timeDeps = { db: deps.db, timezone: deps.timezone ?? defaultBusinessTimezone, defaultRates: deps.defaultRates, mailFrom: defaultMailFrom, logger: deps.logger };
  for (const [i, minutes, activityType, description] of demoWork) {
    await logTime(timeDeps, actor, numbers[i]!, { minutes, activityType, description }, `demo-${i}-${activityType}`).catch((err: unknown) =>
      deps.logger.warn({ err, incident: numbers[i] }, 'could not log demo time'),
    );
  }
}
