// The review queue: mail held because its sender may not write to the incident it points at,
// because nobody knows the sender, or because it could not be parsed. An agent appends it,
// opens an incident from it, or dismisses it; each decision is taken once.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { inboundMails } from '../../db/schema/index.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import type { Actor } from '../../domain/kernel.js';
import { mailRefOf, openFromMail, type IngestDeps, type InboundRow } from './ingest.js';
import { customerMessageUpdate } from '../../workflows/incident/messages.js';
import { sendIncidentCommand } from '../incident-commands.js';
import { customerForProspect, type NewCustomerFromMail } from './prospect.js';

export const reviewStatuses = ['review', 'quarantined'] as const;

interface Claimed {
  row: InboundRow;
  previous: InboundRow['status'];
}

/** Takes a held mail for one decision; a second agent deciding at the same time gets 409. */
async function claim(db: Db, id: string): Promise<Claimed> {
  const [current] = await db.select({ status: inboundMails.status, outcome: inboundMails.outcome }).from(inboundMails).where(eq(inboundMails.id, id));
  if (!current) throw new NotFound(`No mail ${id}.`);
  const notHeld = new IllegalTransition(`Mail ${id} is not waiting for review (it is ${current.status}: ${current.outcome ?? 'no outcome yet'}).`);
  if (!(reviewStatuses as readonly string[]).includes(current.status)) throw notHeld;
  const [row] = await db
    .update(inboundMails)
    .set({ status: 'processing', claimedAt: new Date() })
    .where(and(eq(inboundMails.id, id), eq(inboundMails.status, current.status)))
    .returning();
  if (!row) throw new IllegalTransition(`Mail ${id} is being decided by someone else.`);
  return { row, previous: current.status };
}

async function decide(db: Db, { row, previous }: Claimed, actor: Actor, work: () => Promise<Pick<InboundRow, 'status' | 'outcome' | 'incidentNumber'>>): Promise<InboundRow> {
  try {
    const done = await work();
    const [updated] = await db
      .update(inboundMails)
      .set({ ...done, reviewedBy: actor.id, reviewedAt: new Date(), processedAt: new Date(), claimedAt: null, lastError: null })
      .where(eq(inboundMails.id, row.id))
      .returning();
    return updated!;
  } catch (err) {
    // Back in the queue as it was; the agent sees the error and can decide again.
    await db.update(inboundMails).set({ status: previous, claimedAt: null }).where(eq(inboundMails.id, row.id));
    throw err;
  }
}

/** Appends a held mail to an incident (by default the one it pointed at) as a customer message. */
export async function acceptIntoIncident(deps: IngestDeps, id: string, actor: Actor, incidentNumber?: string): Promise<InboundRow> {
  const claimed = await claim(deps.db, id);
  const { row } = claimed;
  return decide(deps.db, claimed, actor, async () => {
    const target = incidentNumber ?? row.candidateIncident;
    if (!target) throw new ValidationError('This mail points at no incident; give incidentNumber.', 'incidentNumber');
    await sendIncidentCommand(
      deps.temporal,
      target,
      customerMessageUpdate,
      { text: row.textBody || '(no text)', from: row.fromAddress, channel: 'email', mail: mailRefOf(row), actor },
      { updateId: `mail-${row.id}` },
    );
    return { status: 'processed' as const, outcome: `Accepted into ${target} by ${actor.name}.`, incidentNumber: target };
  });
}

/** Whom a held mail's incident is for: an existing customer, or a new one made from the prospect's mail. */
export type HeldMailCustomer = { customerNumber: string } | { newCustomer: NewCustomerFromMail };

/**
 * Opens a new incident from a held mail for the given customer (the sender may be unknown), or
 * for a new customer with the sender as its contact, created in the same decision.
 */
export async function openIncidentFromHeldMail(deps: IngestDeps, id: string, actor: Actor, target: HeldMailCustomer): Promise<InboundRow> {
  const claimed = await claim(deps.db, id);
  const { row } = claimed;
  return decide(deps.db, claimed, actor, async () => {
    // Committed before the incident opens (intake reads it); a failure after this leaves the
    // customer in place, and the agent's retry finds it instead of making a second one.
    const customerNumber = 'newCustomer' in target ? await customerForProspect(deps.db, row, target.newCustomer) : target.customerNumber;
    const auto = row.classification?.noAutoAnswer ?? false;
    const done = await openFromMail(deps, row, { customerNumber, acknowledge: !auto, followUpOf: null, actor });
    if (done.status !== 'processed') throw new ValidationError(done.outcome ?? 'The incident could not be opened.', 'customerNumber');
    return { status: 'processed', outcome: `${done.outcome} (decided by ${actor.name})`, incidentNumber: done.incidentNumber ?? null };
  });
}

/** Keeps a held mail as noise, with the reason. */
export async function dismissHeldMail(db: Db, id: string, actor: Actor, reason: string): Promise<InboundRow> {
  return decide(db, await claim(db, id), actor, () => Promise.resolve({ status: 'ignored' as const, outcome: `Dismissed by ${actor.name}: ${reason}`, incidentNumber: null }));
}
