// Calendar data the workflows cannot compute themselves: public holidays need date-holidays'
// rules, which stay out of the workflow bundle.
import { ApplicationFailure } from '@temporalio/activity';
import { resolveHolidays, type ResolvedHolidays } from '../domain/business-calendar.js';
import { ValidationError } from '../domain/errors.js';

export interface ResolveHolidaysInput {
  region: string;
  fromYear: number;
  toYear: number;
}

export function createCalendarActivities() {
  return {
    /** A region's public holidays as dates, for an SLA snapshot taken before snapshots carried them. */
    resolvePublicHolidays: async ({ region, fromYear, toYear }: ResolveHolidaysInput): Promise<ResolvedHolidays> => {
      await Promise.resolve(); // the rules are in memory; an activity is still a promise
      try {
        return resolveHolidays(region, fromYear, toYear);
      } catch (err) {
        // An unknown region does not become known by retrying.
        if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'ValidationError');
        throw err;
      }
    },
  };
}
