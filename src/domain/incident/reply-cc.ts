// The addresses an agent names on a reply (`cc`): checked in the workflow's validator, recorded on
// the reply's timeline event, and copied whoever they are (src/domain/reply-recipients.ts decides
// the other copies). Pure and small, as it runs inside the incident workflow.
import { ValidationError } from '../errors.js';
import { reply, validateReply, type IncidentState, type ReplyInput, type Transition } from './state.js';
import type { CommandContext } from '../kernel.js';

/** The most addresses an agent may name on one reply. */
export const maxNamedCc = 20;

/** A reply as the agent sends it: the text, and addresses to copy besides the customer's people. */
export type ReplyWithCc = ReplyInput & { cc?: string[] | undefined };

const plausibleAddress = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** The named addresses, trimmed and lower-case, each once. */
export function namedCc(cc: readonly string[] | undefined): string[] {
  return [...new Set((cc ?? []).map((a) => a.trim().toLowerCase()))];
}

export function validateReplyWithCc(state: IncidentState, input: ReplyWithCc): void {
  validateReply(state, input);
  if (input.cc === undefined) return;
  if (!Array.isArray(input.cc) || input.cc.length > maxNamedCc) throw new ValidationError(`cc takes at most ${maxNamedCc} addresses.`, 'cc');
  input.cc.forEach((address, i) => {
    if (typeof address !== 'string' || !plausibleAddress.test(address.trim())) throw new ValidationError(`cc[${i}] is not an e-mail address.`, `cc.${i}`);
  });
}

/** The reply, with the addresses the agent named on its timeline event (absent when none). */
export function replyWithCc(state: IncidentState, input: ReplyWithCc, ctx: CommandContext): Transition {
  validateReplyWithCc(state, input);
  const replied = reply(state, input, ctx);
  const cc = namedCc(input.cc);
  return cc.length === 0 ? replied : { ...replied, event: { ...replied.event, payload: { ...replied.event.payload, cc } } };
}
