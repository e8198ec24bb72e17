// The house's own synonym groups, beside the defaults the search ships with (default-synonyms.ts).
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { kbSynonyms } from '../../db/schema/index.js';
import { ValidationError } from '../../domain/errors.js';
import { fold } from './words.js';

export const maxSynonymGroups = 1000;

export async function houseSynonyms(db: Db): Promise<string[][]> {
  return (await db.select({ terms: kbSynonyms.terms }).from(kbSynonyms).orderBy(asc(kbSynonyms.id))).map((r) => r.terms);
}

/** Replaces the house's groups; each word is stored folded (lower-case, no accents), as the search compares. */
export async function replaceHouseSynonyms(db: Db, groups: string[][]): Promise<string[][]> {
  if (groups.length > maxSynonymGroups) throw new ValidationError(`At most ${maxSynonymGroups} groups.`, 'groups');
  const cleaned = groups.map((g, i) => {
    const words = [...new Set(g.map((w) => fold(w.trim())).filter(Boolean))];
    if (words.some((w) => /[^\p{L}\p{N}]/u.test(w))) throw new ValidationError(`Group ${i + 1}: a synonym is one word (letters and digits).`, `groups.${i}`);
    if (words.length < 2) throw new ValidationError(`Group ${i + 1}: a group has at least two different words.`, `groups.${i}`);
    return words;
  });
  await db.transaction(async (tx) => {
    await tx.delete(kbSynonyms);
    if (cleaned.length > 0) await tx.insert(kbSynonyms).values(cleaned.map((terms) => ({ terms })));
  });
  return cleaned;
}
