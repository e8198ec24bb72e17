// The incident's "current details" in the Temporal UI: a short Markdown list (the UI renders
// Markdown, so every fact is a list item of its own line), built from the live state and its
// SLA picture. Pure, so a unit test pins it; the workflow sets it after every step.
import type { IncidentState } from './state.js';
import { levelNames, type ClockPicture, type EscalationLevel, type SlaPicture, type SlaTarget } from '../sla.js';

const targetNames: Record<SlaTarget, string> = { firstResponse: 'First response', nextResponse: 'Next response', resolution: 'Resolution' };

/**
 * Text from people (titles, names) as literal Markdown: no emphasis, code, links or HTML, on one
 * line. It never starts a line here, so list and heading markers need no escape.
 */
export function markdownText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/([\\`*_{}[\]<>|~])/g, '\\$1');
}

/** An instant as the UI shows it to ops: minutes, UTC. */
const instant = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function clockLine(clock: ClockPicture): string {
  const due = clock.dueAt ? `due ${instant(clock.dueAt)}` : 'due when the pause ends';
  return `  - ${targetNames[clock.target]}: ${due}, **${clock.state}**`;
}

export function incidentDetails(state: IncidentState, picture: SlaPicture | undefined): string {
  const level = state.escalationLevel as EscalationLevel;
  const sla = state.sla;
  return [
    `**${state.number}** ${markdownText(state.title)}`,
    '',
    `- **Status:** ${state.status.replace(/_/g, ' ')}`,
    `- **Priority:** ${state.priority}`,
    `- **Customer:** ${state.customer ? markdownText(`${state.customer.number} ${state.customer.name}`) : 'unknown'}`,
    `- **Contract:** ${state.contract ? markdownText(`${state.contract.tier} (${state.contract.number})`) : 'none'}`,
    `- **Assignee:** ${state.assignee ? markdownText(state.assignee.name) : 'nobody'} · **Group:** ${state.assignedGroup ? markdownText(state.assignedGroup) : 'none'}`,
    `- **Escalation level:** ${level} (${levelNames[level] ?? 'unknown'})${state.slaBreached ? ' · **SLA breached**' : ''}`,
    `- **SLA:** ${sla ? markdownText(`${sla.name} v${sla.version}, ${state.priority}`) : 'none'}`,
    ...(picture?.clocks ?? []).map(clockLine),
  ].join('\n');
}
