// How every workflow here wires its commands (workflow updates), the incident and the follow-ups
// alike: `command(update, validate, run, options?)` sets the update's handler. The validator checks
// the text and the domain rules before the update enters history; the handler checks again through
// the step itself (another command may have changed the state since the validator ran), applies
// and records the step, then runs `after` (a mail, a notice, a word to a parent) with it. Either
// check answers a domain error as a non-retryable failure of its type, so the API can say 400/403/409.
import type { UpdateDefinition } from '@temporalio/common';
import { setHandler } from '@temporalio/workflow';
import type { CommandContext } from '../domain/kernel.js';
import { requireWellFormedText } from '../domain/text.js';
import type { Command } from './incident/messages.js';
import { validated } from './shared.js';

/** What applying a step answers: the command's result, or why the step, taken all the same, could not be recorded. */
export type Applied<S> = { result: S } | { refused: Error };

export interface CommandOptions<S, T, I> {
  /** Runs after the step is applied (recorded or refused), e.g. to mail the customer. */
  after?: (step: T, input: Command<I>) => void;
  /** A repeat of an applied step (the same mail delivered again): answered with the current state, not applied twice. */
  repeat?: (current: S, input: Command<I>) => boolean;
}

/**
 * The `command` wiring of one workflow, over its current state and how it applies a step.
 * `before` runs first in every handler (the incident brings its escalation up to the command's
 * instant, so a level passed before it is not lost to the command's change of the clocks).
 */
export function workflowCommands<S, T>(current: () => S, apply: (step: T) => Promise<Applied<S>>, before?: () => Promise<void>) {
  return function command<I extends object>(
    update: UpdateDefinition<S, [Command<I>]>,
    validate: (current: S, input: Command<I>, at: Date) => void,
    run: (current: S, input: Command<I>, ctx: CommandContext) => T,
    options: CommandOptions<S, T, I> = {},
  ): void {
    const { after, repeat } = options;
    setHandler(
      update,
      async (cmd: Command<I>) => {
        if (repeat?.(current(), cmd)) return current();
        await before?.();
        const step = validated(() => run(current(), cmd, { actor: cmd.actor, at: new Date() }));
        const applied = await apply(step);
        after?.(step, cmd);
        if ('refused' in applied) throw applied.refused;
        return applied.result;
      },
      {
        validator: (cmd: Command<I>) =>
          repeat?.(current(), cmd)
            ? undefined
            : validated(() => {
                requireWellFormedText(cmd);
                validate(current(), cmd, new Date());
              }),
      },
    );
  };
}
