// Who gets a copy of our answer to a customer. A plain reply-all would copy everyone on the
// customer's last mail, outsiders included (a supplier, a private address, a mailing list), and
// leak the incident to them. So the copies keep only the customer's own people (its contacts, or
// an address at one of its mail domains) plus whatever addresses the agent names on the reply;
// everyone else is dropped, and who was dropped is recorded so the agent can add them on purpose.
import { addressOf } from './mail-rules.js';
import { namedCc } from './incident/reply-cc.js';

export interface CopyFacts {
  /** The contact the mail is addressed to. */
  to: string;
  /** Everyone on the customer's last mail (its sender, To and Cc), as a reply-all would copy them. */
  replyAll: readonly string[];
  /** The incident's customer: its contacts' addresses and its mail domains. */
  customer: { contactAddresses: readonly string[]; mailDomains: readonly string[] };
  /** Addresses the agent named on the reply: always copied. */
  named: readonly string[];
  /** Our own addresses: never copied from the thread (a loop). */
  own: readonly string[];
}

export interface Copies {
  cc: string[];
  /** On the customer's last mail but neither the customer's nor named by the agent: not copied. */
  dropped: string[];
}

/** Is this one of the customer's people: a contact, or an address at one of its mail domains? */
export function isCustomerAddress(address: string, customer: CopyFacts['customer']): boolean {
  const bare = addressOf(address);
  const domain = bare.split('@')[1] ?? '';
  return customer.contactAddresses.some((a) => addressOf(a) === bare) || customer.mailDomains.some((d) => d.trim().toLowerCase() === domain);
}

export function replyCopies(facts: CopyFacts): Copies {
  const to = addressOf(facts.to);
  const own = new Set(facts.own.map(addressOf));
  const named = new Set(namedCc(facts.named));
  const thread = [...new Set(facts.replyAll.map(addressOf))].filter((a) => a !== to && !own.has(a) && !named.has(a));
  const kept = thread.filter((a) => isCustomerAddress(a, facts.customer));
  const dropped = thread.filter((a) => !kept.includes(a));
  return { cc: [...kept, ...[...named].filter((a) => a !== to)], dropped };
}
