// What the portal refuses, by reason: the web layer says it in the page's language (the
// catalogue's `refusals`), the message stays English for logs and for any caller without pages.
import { IllegalTransition, ValidationError } from '../../domain/errors.js';

export type RefusalReason =
  | 'submission'
  | 'titleMissing'
  | 'titleTooLong'
  | 'descriptionMissing'
  | 'descriptionTooLong'
  | 'textTooLong'
  | 'tooManyFiles'
  | 'fileTooLarge'
  | 'fileNameTooLong'
  | 'readOnly'
  | 'textMissing'
  | 'solvedAlready'
  | 'closed'
  | 'reasonMissing'
  | 'notYourDevice'
  | 'topicMissing'
  | 'topicTooLong'
  | 'notResolved'
  | 'changedMeanwhile'
  | 'windowIncomplete'
  | 'windowOrder'
  | 'windowOver'
  | 'windowTooLong'
  | 'windowTooLate';

/** Values a refusal's words need: a count, a file name, an instant (ISO). */
export type RefusalParams = Partial<{ count: number; file: string; megabytes: number; latest: string }>;

/** Input the contact can correct: 400, naming the field. */
export class InvalidEntry extends ValidationError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    field: string,
    readonly params: RefusalParams = {},
  ) {
    super(message, field);
  }
}

/** A step the request's state does not allow now: 409. */
export class NotNow extends IllegalTransition {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly params: RefusalParams = {},
  ) {
    super(message);
  }
}

export const isPortalRefusal = (err: unknown): err is InvalidEntry | NotNow => err instanceof InvalidEntry || err instanceof NotNow;
