// Who sees which article. A customer (the portal, or the API's audience=customer) sees published
// public articles and the published ones restricted to their own customer; staff see every
// published article in searches and suggestions, and every article by id.
import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { kbSearch } from '../../db/schema/index.js';
import { kbArticles } from '../../db/schema/index.js';
import type { KbVisibility } from '../../domain/enums.js';

export type KbAudience = { kind: 'agent' } | { kind: 'customer'; customerNumber?: string | undefined };

/** The rule in SQL, over the articles or over their search rows (which carry the same three columns). */
export function visibleArticles(audience: KbAudience, t: typeof kbArticles | typeof kbSearch = kbArticles): SQL {
  const published = eq(t.state, 'published');
  if (audience.kind === 'agent') return published;
  const forCustomer = audience.customerNumber
    ? or(eq(t.visibility, 'public'), and(eq(t.visibility, 'restricted'), sql`${audience.customerNumber} = any(${t.customerNumbers})`))!
    : eq(t.visibility, 'public');
  return and(published, forCustomer)!;
}

/** The same rule for a row in hand (an article page, an attachment download). */
export function canSee(audience: KbAudience, row: { state: string; visibility: KbVisibility; customerNumbers: string[] }): boolean {
  if (row.state !== 'published') return false;
  if (audience.kind === 'agent') return true;
  if (row.visibility === 'public') return true;
  return row.visibility === 'restricted' && audience.customerNumber !== undefined && row.customerNumbers.includes(audience.customerNumber);
}
