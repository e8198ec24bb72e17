// Who is copied on our answer: the customer's own people from its last mail and the addresses the
// agent names; outsiders on the thread are dropped and listed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { openIncident } from '../../src/domain/incident/state.js';
import type { CommandContext } from '../../src/domain/kernel.js';
import { replyWithCc, validateReplyWithCc } from '../../src/domain/incident/reply-cc.js';
import { isCustomerAddress, replyCopies, type CopyFacts } from '../../src/domain/reply-recipients.js';
import { testIntake } from '../support/intake.js';

const customer = { contactAddresses: ['Petra.Mueller@mueller.example', 'extern.kontakt@freemail.example'], mailDomains: ['mueller.example', 'Mueller-Werk2.example'] };
const facts = (changes: Partial<CopyFacts> = {}): CopyFacts => ({ to: 'petra.mueller@mueller.example', replyAll: [], customer, named: [], own: ['helpdesk@helpdesk.example'], ...changes });

describe('replyCopies', () => {
  it('copies colleagues at the customer\'s domains and its contacts elsewhere, and drops outsiders', () => {
    const copies = replyCopies(
      facts({ replyAll: ['petra.mueller@mueller.example', 'helpdesk@helpdesk.example', 'jens@mueller.example', 'Lea@MUELLER-WERK2.example', 'extern.kontakt@freemail.example', 'berater@consulting.example', 'list@lists.example'] }),
    );
    expect(copies).toEqual({ cc: ['jens@mueller.example', 'lea@mueller-werk2.example', 'extern.kontakt@freemail.example'], dropped: ['berater@consulting.example', 'list@lists.example'] });
  });

  it('always copies the addresses the agent names, outsiders included, and does not list them as dropped', () => {
    const copies = replyCopies(facts({ replyAll: ['berater@consulting.example', 'other@outside.example'], named: ['Berater@Consulting.example', 'supplier@partner.example', 'petra.mueller@mueller.example'] }));
    expect(copies).toEqual({ cc: ['berater@consulting.example', 'supplier@partner.example'], dropped: ['other@outside.example'] });
  });

  it('matches the domain exactly: a subdomain or a look-alike is not the customer', () => {
    expect(isCustomerAddress('a@mueller.example', customer)).toBe(true);
    for (const a of ['a@sub.mueller.example', 'a@mueller.example.evil.example', 'a@xmueller.example']) expect(isCustomerAddress(a, customer), a).toBe(false);
  });

  it('never copies anyone but the customer\'s people and the named, nor the contact twice nor ourselves', () => {
    const address = fc.tuple(fc.constantFrom('a', 'b', 'petra.mueller', 'helpdesk'), fc.constantFrom('mueller.example', 'consulting.example', 'helpdesk.example', 'freemail.example')).map(([l, d]) => `${l}@${d}`);
    fc.assert(
      fc.property(fc.array(address), fc.array(address, { maxLength: 3 }), (replyAll, named) => {
        const { cc, dropped } = replyCopies(facts({ replyAll, named }));
        for (const a of cc) expect(isCustomerAddress(a, customer) || named.includes(a)).toBe(true);
        expect(cc).not.toContain('petra.mueller@mueller.example');
        expect(new Set(cc).size).toBe(cc.length);
        for (const a of dropped) expect(isCustomerAddress(a, customer) || named.includes(a)).toBe(false);
        // Everyone on the thread but the contact and us is either copied or dropped.
        for (const a of replyAll) if (a !== 'petra.mueller@mueller.example' && a !== 'helpdesk@helpdesk.example') expect(cc.includes(a) || dropped.includes(a)).toBe(true);
      }),
    );
  });
});

describe('a reply naming cc', () => {
  const ctx: CommandContext = { actor: { id: 'user:1', name: 'Anna' }, at: new Date('2026-03-02T09:00:00Z') };
  const state = openIncident(testIntake({ number: 'INC-2026-000001' })).state;

  it('records the named addresses on the replied event, and nothing extra without them', () => {
    expect(replyWithCc(state, { text: 'Hallo', cc: ['Supplier@Partner.example', 'supplier@partner.example'] }, ctx).event.payload).toMatchObject({ text: 'Hallo', cc: ['supplier@partner.example'] });
    expect(replyWithCc(state, { text: 'Hallo' }, ctx).event.payload).not.toHaveProperty('cc');
  });

  it('refuses what is not an address, naming the entry, and more than 20', () => {
    expect(() => validateReplyWithCc(state, { text: 'Hallo', cc: ['ok@partner.example', 'not an address'] })).toThrow(expect.objectContaining({ field: 'cc.1' }));
    expect(() => validateReplyWithCc(state, { text: 'Hallo', cc: Array.from({ length: 21 }, (_, i) => `p${i}@x.example`) })).toThrow(ValidationError);
  });
});
