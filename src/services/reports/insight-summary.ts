// The one line a salesperson reads before calling a customer. Pure, so the wording is unit-tested.
import { spokenDate } from '../../domain/calendar-dates.js';

/** Quota usage from which the summary mentions it: the threshold that notifies the account manager. */
export const quotaWarningPercent = 80;

export interface SummaryFacts {
  days: number;
  /** Today in the house time zone (YYYY-MM-DD), to leave out the year of recent dates. */
  today: string;
  /** Escalations to level 2 or higher, newest first, with the house's date of each. */
  escalations: readonly { incidentNumber: string; day: string }[];
  openIncidentCount: number;
  quotas: readonly { contractNumber: string; percentUsed: number }[];
  creditHold: boolean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "12 Nov", with the year only when it is not this year's. */
function shortDate(day: string, today: string): string {
  const spoken = spokenDate(day);
  return day.slice(0, 4) === today.slice(0, 4) ? spoken.split(' ').slice(0, 2).join(' ') : spoken;
}

export function insightSummary(facts: SummaryFacts): string {
  const window = facts.days === 1 ? 'the last day' : `the last ${facts.days} days`;
  const sentences: string[] = [];
  const last = facts.escalations[0];
  if (last) {
    // Incidents, not level changes: one that went to level 2 and then 3 is one escalated incident.
    const incidents = new Set(facts.escalations.map((e) => e.incidentNumber)).size;
    sentences.push(`${plural(incidents, 'escalated incident')} in ${window}, last one ${last.incidentNumber} on ${shortDate(last.day, facts.today)}: consider a goodwill gesture.`);
  } else {
    const open = facts.openIncidentCount === 0 ? 'no open incidents' : plural(facts.openIncidentCount, 'open incident');
    sentences.push(`No escalated incidents in ${window}; ${open}.`);
  }
  for (const quota of facts.quotas) {
    if (quota.percentUsed >= quotaWarningPercent) sentences.push(`Quota of ${quota.contractNumber} is ${quota.percentUsed} % used.`);
  }
  if (facts.creditHold) sentences.push('On credit hold.');
  return sentences.join(' ');
}
