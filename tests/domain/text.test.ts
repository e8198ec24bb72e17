import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { recordingRefused } from '../../src/domain/incident/recording.js';
import { openIncident } from '../../src/domain/incident/state.js';
import { findTextProblem, nonBlank, requireWellFormedText, textProblem, writableCopy, writableText } from '../../src/domain/text.js';
import { testIntake } from '../support/intake.js';

const anyText = fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\ud800', '\udc00', '\t', '\n'), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 20 });

describe('text rules', () => {
  it('refuses unpaired surrogates and control characters, keeps tabs, line breaks and pairs', () => {
    expect(textProblem('ok 😀 ä\tb\nc')).toBeUndefined();
    expect(textProblem('\ud800')).toBe('must be well-formed Unicode (it contains an unpaired surrogate)');
    expect(textProblem('a\udfffb')).toContain('surrogate');
    expect(textProblem('a\u0000')).toBe('must not contain control characters');
    expect(textProblem('a\u007f')).toBe('must not contain control characters');
    expect(() => nonBlank('x\u0000', 'text', 100)).toThrow(new ValidationError('text must not contain control characters.', 'text'));
  });

  it('nonBlank leaves well-formedness to the validators, so old histories replay; requireWellFormedText refuses it naming the field', () => {
    // A workflow handler runs nonBlank on replay too: a note with an unpaired surrogate from before the check must replay as it ran.
    expect(nonBlank('x\ud800', 'text', 100)).toBe('x\ud800');
    expect(() => requireWellFormedText({ text: 'x\ud800', actor: { id: 'user:1', name: 'A' } })).toThrow(new ValidationError('text must be well-formed Unicode (it contains an unpaired surrogate).', 'text'));
    // Control characters are the handlers' business (a NUL in an actor's name is no reason to refuse the step).
    expect(() => requireWellFormedText({ text: 'fine', actor: { name: 'N\u0000' } })).not.toThrow();
  });

  it('a JSON value nested deeper than the limit is a problem, found without recursion', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 300_000; i++) deep = [deep];
    expect(findTextProblem(deep)).toEqual({ field: Array(64).fill('0').join('.'), message: 'nests deeper than 64 levels' });
    let fine: unknown = 'ok';
    for (let i = 0; i < 60; i++) fine = { a: fine };
    expect(findTextProblem(fine)).toBeUndefined();
  });

  it('writable text is always acceptable, and acceptable text stays as it is (property)', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const written = writableText(value);
        expect(textProblem(written)).toBeUndefined();
        if (textProblem(value) === undefined) expect(written).toBe(value);
      }),
    );
  });

  it('finds the first bad string of a JSON value by its path, keys included', () => {
    expect(findTextProblem({ a: ['ok', { b: 'x\u0000' }] })).toEqual({ field: 'a.1.b', message: 'must not contain control characters' });
    expect(findTextProblem({ ['k\ud800']: 1 })?.message).toContain('field name');
    expect(findTextProblem('\ud800')?.field).toBe('body');
    expect(findTextProblem({ a: 1, b: [true, null, 'fine'] })).toBeUndefined();
  });

  it('a writable copy keeps the object when nothing changes and repairs every string and key otherwise', () => {
    const clean = { a: 'x', b: [1, 'y'] };
    expect(writableCopy(clean)).toBe(clean);
    expect(writableCopy({ ['k\u0000']: ['\ud800', 2] })).toEqual({ k: ['\ufffd', 2] });
  });

  it('a refused step stands in as recording_failed under its own number, with writable text', () => {
    const { state, event } = openIncident(testIntake({ number: 'INC-2026-000777', title: 'Bad\u0000title' }));
    const standIn = recordingRefused({ state, event: { ...event, actor: { id: 'user:1', name: 'N\ud800' } } }, 'SQLSTATE 22021\u0000');
    expect(standIn.event).toMatchObject({ seq: event.seq, type: 'recording_failed', actor: { name: 'N\ufffd' }, payload: { eventType: 'created', reason: 'SQLSTATE 22021' } });
    expect(standIn.state.title).toBe('Badtitle');
  });
});
