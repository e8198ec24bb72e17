// The language of a page: the contact's own setting, else the one they switched to (a cookie),
// else the browser's Accept-Language, else German. Each area keeps its strings in one catalogue.
import { languages, type Language } from '../domain/enums.js';

export const languageCookie = 'helpdesk_lang';

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (languages as readonly string[]).includes(value);

/** The best of our languages for an Accept-Language header ("en-GB,en;q=0.9,de;q=0.8"), or null. */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.base && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.base).find(isLanguage) ?? null;
}

export function pickLanguage(sources: { contact?: Language | null | undefined; cookie?: string | undefined; acceptLanguage?: string | undefined }): Language {
  if (sources.contact) return sources.contact;
  if (isLanguage(sources.cookie)) return sources.cookie;
  return fromAcceptLanguage(sources.acceptLanguage) ?? 'de';
}
