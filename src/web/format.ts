// Instants written out for people, in their zone and language: "heute 16:00", "morgen 09:00",
// "Di 09:00", "3. Dez. 2026, 14:30". Instants stay ISO strings until they reach a page.
import type { Language } from '../domain/enums.js';

const locale = (language: Language) => (language === 'de' ? 'de-DE' : 'en-GB');

// Building an Intl formatter costs far more than using one (a list page formats two instants a
// row), so each locale, zone and style is built once.
const formatters = new Map<string, Intl.DateTimeFormat>();
type Style = 'day' | 'clock' | 'weekday' | 'date' | 'input';
const styles: Record<Style, Intl.DateTimeFormatOptions> = {
  day: { year: 'numeric', month: '2-digit', day: '2-digit' },
  clock: { hour: '2-digit', minute: '2-digit', hour12: false },
  weekday: { weekday: 'short' },
  date: { day: 'numeric', month: 'short', year: 'numeric' },
  input: { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false },
};
function formatter(tag: string, zone: string, style: Style): Intl.DateTimeFormat {
  const key = `${tag}|${zone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, { timeZone: zone, ...styles[style] });
    formatters.set(key, f);
  }
  return f;
}

/** The calendar day of an instant in a zone, as YYYY-MM-DD. */
function localDay(at: Date, zone: string): string {
  return formatter('en-CA', zone, 'day').format(at);
}

const dayNumber = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;

export function clock(at: Date, language: Language, zone: string): string {
  return formatter(locale(language), zone, 'clock').format(at);
}

const relativeDays: Record<Language, Record<number, string>> = {
  de: { [-1]: 'gestern', 0: 'heute', 1: 'morgen' },
  en: { [-1]: 'yesterday', 0: 'today', 1: 'tomorrow' },
};

/** The day part: "heute", "morgen", "Di" (within the coming week), else "3. Dez. 2026". */
export function dayWords(iso: string, language: Language, zone: string, now = new Date()): string {
  const at = new Date(iso);
  const offset = dayNumber(localDay(at, zone)) - dayNumber(localDay(now, zone));
  const relative = relativeDays[language][offset];
  if (relative) return relative;
  if (offset > 1 && offset < 7) return formatter(locale(language), zone, 'weekday').format(at).replace(/\.$/, '');
  return formatter(locale(language), zone, 'date').format(at);
}

/** "heute 16:00", "Di 09:00", "3. Dez. 2026 14:30". */
export function when(iso: string, language: Language, zone: string, now = new Date()): string {
  return `${dayWords(iso, language, zone, now)} ${clock(new Date(iso), language, zone)}`;
}

/** "Di 09:00–11:00", or both ends written out when they fall on different days. */
export function span(from: string, to: string, language: Language, zone: string, now = new Date()): string {
  const sameDay = localDay(new Date(from), zone) === localDay(new Date(to), zone);
  return sameDay ? `${when(from, language, zone, now)}–${clock(new Date(to), language, zone)}` : `${when(from, language, zone, now)} – ${when(to, language, zone, now)}`;
}

/** A calendar day (YYYY-MM-DD) written out: "31.12.2026" / "31/12/2026". */
export function date(day: string, language: Language): string {
  const [y, m, d] = day.split('-');
  return language === 'de' ? `${d}.${m}.${y}` : `${d}/${m}/${y}`;
}

/** Minutes as hours and minutes: "2 Std. 30 Min." / "2 h 30 min". */
export function duration(minutes: number, language: Language): string {
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  const [hu, mu] = language === 'de' ? ['Std.', 'Min.'] : ['h', 'min'];
  const text = h > 0 ? (m > 0 ? `${h} ${hu} ${m} ${mu}` : `${h} ${hu}`) : `${m} ${mu}`;
  return minutes < 0 ? `−${text}` : text;
}

export function bytes(size: number, language: Language): string {
  const n = new Intl.NumberFormat(locale(language), { maximumFractionDigits: 1 });
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${n.format(size / 1024)} KB`;
  return `${n.format(size / 1024 / 1024)} MB`;
}

/** The value of an <input type="datetime-local"> for an instant in a zone ("2026-12-03T09:00"). */
export function localInputValue(iso: string, zone: string): string {
  const parts = Object.fromEntries(
    formatter('en-CA', zone, 'input')
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour === '24' ? '00' : parts.hour}:${parts.minute}`;
}

/** The instant of a datetime-local value meant in a zone, or null when it is no such value. */
export function instantOfLocal(value: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  // The zone's offset at that wall time: format the guess in the zone and correct by the difference (twice, for DST edges).
  let at = guess;
  for (let i = 0; i < 2; i++) {
    const shown = localInputValue(new Date(at).toISOString(), zone);
    const [sy, smo, sd, sh, smi] = shown.split(/[-T:]/).map(Number) as [number, number, number, number, number];
    at += guess - Date.UTC(sy, smo - 1, sd, sh, smi);
  }
  return Number.isFinite(at) ? new Date(at).toISOString() : null;
}
