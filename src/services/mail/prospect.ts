// A prospect's first mail: nobody knows the sender, so the mail waits for review, and the agent
// who takes it on creates the customer and the sender as its contact in the same decision.
// Created through the master data services (their checks and locks), and idempotent: a review
// that failed after the customer was created finds that customer again when it is retried.
import type { Db } from '../../db/client.js';
import type { Language } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { callerContact, createContact } from '../master-data/contacts.js';
import { createCustomer, customerDefaults, getCustomer } from '../master-data/customers.js';

export interface NewCustomerFromMail {
  customerNumber: string;
  name: string;
  mailDomains?: string[] | undefined;
  language?: Language | undefined;
}

/** A master data refusal names the field of the review body it came from ("newCustomer.name"). */
async function asField<T>(prefix: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ValidationError) || !err.field) throw err;
    throw new ValidationError(err.message.startsWith(`${err.field}:`) ? `${prefix}.${err.message}` : err.message, `${prefix}.${err.field}`);
  }
}

/** The contact's name from the mail: the sender's display name, else the address's local part. */
function contactName(mail: { fromAddress: string; fromName: string | null }): string {
  const name = mail.fromName?.replace(/\s+/g, ' ').trim() || mail.fromAddress.split('@')[0]!;
  return name.slice(0, 200);
}

/**
 * The customer (created, or the one an earlier attempt of this decision created: same number and
 * name, and the sender already its contact) with the mail's sender as its contact. Answers the customer number. A number that belongs
 * to another customer, or a sender who is another customer's contact, is 409: the agent decides.
 */
export async function customerForProspect(db: Db, mail: { fromAddress: string | null; fromName: string | null }, input: NewCustomerFromMail): Promise<string> {
  const fromAddress = mail.fromAddress;
  if (!fromAddress) throw new ValidationError('newCustomer: the mail has no sender address to make a contact of.', 'newCustomer');
  const customerNumber = input.customerNumber.trim();
  return db.transaction(async (tx) => {
    const existing = await getCustomer(tx, customerNumber).catch((err: unknown) => {
      if (err instanceof NotFound) return undefined;
      throw err;
    });
    const contact = await callerContact(tx, fromAddress);
    // An earlier attempt of this decision created the customer and the sender as its contact in one
    // transaction: only then is an existing customer "ours". Any other existing customer is 409, so
    // a review can never add an unknown sender to someone else's customer.
    const earlierAttempt = existing !== undefined && existing.name === input.name.trim() && contact?.customerNumber === customerNumber;
    if (existing && !earlierAttempt) {
      throw new IllegalTransition(`Customer ${customerNumber} already exists (${existing.name}); give customerNumber to open the incident for it.`);
    }
    if (earlierAttempt) return customerNumber;
    if (!existing) {
      await asField('newCustomer', () =>
        createCustomer(tx, { ...customerDefaults, customerNumber, name: input.name, mailDomains: input.mailDomains ?? [], language: input.language ?? customerDefaults.language }),
      );
    }
    if (contact && contact.customerNumber !== customerNumber) throw new IllegalTransition(`${fromAddress} is already a contact of customer ${contact.customerNumber}.`);
    if (!contact) await asField('contact', () => createContact(tx, { customerNumber, name: contactName({ fromAddress, fromName: mail.fromName }), email: fromAddress, phone: null, language: null }));
    return customerNumber;
  });
}
