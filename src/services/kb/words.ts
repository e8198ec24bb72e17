// The words of a search, as the knowledge base's index sees them: lower-case, accents and umlauts
// folded (ä → a, ß → ss, as Postgres' unaccent does), split on anything that is not a letter or digit.

/** The longest query the search reads; the rest is ignored (a pasted log is not a better query). */
export const maxQueryLength = 500;
/** The most words of a query that count. */
export const maxQueryWords = 40;

export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').replace(/ß/g, 'ss').toLowerCase();
}

/** The folded words of a text, in order, without repeats. */
export function wordsOf(text: string, limit = maxQueryWords): string[] {
  const words = fold(text.slice(0, maxQueryLength)).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  return [...new Set(words)].slice(0, limit);
}

/**
 * The spelling of a word with umlauts typed as ae, oe, ue ("Postfaecher" for "Postfächer"), folded
 * as the index folds the umlaut ("postfacher"); undefined when the word has none.
 */
export function umlautVariant(word: string): string | undefined {
  if (!/[aou]e/.test(word)) return undefined;
  // "que" (queue, request) is no umlaut; neither is a vowel pair at the start ("aero").
  const variant = word.replace(/(?<!q)(?<=.)([aou])e/g, '$1');
  return variant === word ? undefined : variant;
}

/** Parts of a long word that might be the words of a compound ("netzwerkdrucker": "netzwerk", "drucker"). */
export const minCompoundPart = 4;

/** Every head and tail of a word at least minCompoundPart long, for looking up compound parts. */
export function compoundCandidates(word: string): string[] {
  if (word.length < 2 * minCompoundPart || /\d/.test(word)) return [];
  const parts: string[] = [];
  for (let i = minCompoundPart; i <= word.length - minCompoundPart; i += 1) parts.push(word.slice(0, i), word.slice(i));
  return parts;
}

/**
 * The splits of a compound into two known words, with German's linking "s" ("sicherungsband":
 * "sicherung", "band"); `known` holds the candidates the vocabulary has.
 */
export function compoundParts(word: string, known: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (let i = minCompoundPart; i <= word.length - minCompoundPart; i += 1) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    if (!known.has(tail)) continue;
    if (known.has(head)) found.push(head, tail);
    else if (head.endsWith('s') && known.has(head.slice(0, -1))) found.push(head.slice(0, -1), tail);
  }
  return [...new Set(found)];
}
