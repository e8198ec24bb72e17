// The callback window's refusal, apart from the callback SLA (callback-sla.ts pulls in the holiday
// calendar, which the callback workflow's bundle must not hold; callback.ts runs in it).
import { ValidationError } from './errors.js';

/** Why a callback window is refused, so that each channel can say it in its own words. */
export type CallbackWindowProblem = 'order' | 'over' | 'tooLong' | 'tooLate';

/** A window the service cannot take (a 400 on `window.to`); `latestEnd` when it ends too late. */
export class CallbackWindowRefused extends ValidationError {
  constructor(
    readonly problem: CallbackWindowProblem,
    message: string,
    readonly latestEnd: string | null = null,
  ) {
    super(message, 'window.to');
  }
}
