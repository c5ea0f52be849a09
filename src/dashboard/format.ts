// Dates for the dashboard's pages, in the practice time zone and the viewer's language. One
// Intl.DateTimeFormat per (zone, language, style), reused: a page formats hundreds of dates and
// building a zoned date object per date would cost more than the rest of the page.

import type { Locale } from "../core/model.ts";

const TAGS: Record<Locale, string> = { en: "en-GB", ro: "ro-RO" };
const STYLES = {
  /** 4 May 2026 */
  date: { day: "numeric", month: "short", year: "numeric" },
  /** 4 May */
  day: { day: "numeric", month: "short" },
  /** Mon 4 May, 09:50 */
  dateTime: { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
export type DateStyle = keyof typeof STYLES;

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatDate(at: Date, timeZone: string, locale: Locale, style: DateStyle = "date"): string {
  const key = `${timeZone}|${locale}|${style}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(TAGS[locale], { ...STYLES[style], timeZone });
    formatters.set(key, formatter);
  }
  return formatter.format(at);
}
