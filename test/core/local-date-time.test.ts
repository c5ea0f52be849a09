import { describe, expect, it } from "vitest";
import { format } from "date-fns";
import { TZDate } from "@date-fns/tz";
import { enGB, ro } from "date-fns/locale";
import { formatLocalDateTime } from "../../src/core/context.ts";

// The formatted texts are kept by the minute; every instant must still read as date-fns formats it.
const direct = (at: Date, timeZone: string, locale: "en" | "ro") => format(new TZDate(at.getTime(), timeZone), "EEE d MMM, HH:mm", { locale: locale === "ro" ? ro : enGB });

describe("formatLocalDateTime", () => {
  it("reads every second of a minute as that local minute, in zones with odd offsets too", () => {
    for (const timeZone of ["Europe/Bucharest", "Asia/Kathmandu", "Australia/Eucla", "America/St_Johns", "UTC"]) {
      for (const locale of ["en", "ro"] as const) {
        const minute = Date.UTC(2026, 11, 3, 17, 44);
        // First the start of the minute fills the kept text, then the rest of it must match.
        for (const offset of [0, 1, 29_999, 59_999]) {
          const at = new Date(minute + offset);
          expect(formatLocalDateTime(at, timeZone, locale)).toBe(direct(at, timeZone, locale));
        }
        const next = new Date(minute + 60_000);
        expect(formatLocalDateTime(next, timeZone, locale)).toBe(direct(next, timeZone, locale));
        expect(formatLocalDateTime(next, timeZone, locale)).not.toBe(formatLocalDateTime(new Date(minute), timeZone, locale));
      }
    }
  });

  it("reads the minutes around a daylight-saving change in the zone's own time", () => {
    // Bucharest leaves summer time at 04:00 local on 25 Oct 2026 (01:00 UTC).
    for (let at = Date.UTC(2026, 9, 25, 0, 58, 30); at < Date.UTC(2026, 9, 25, 1, 3); at += 15_000) {
      expect(formatLocalDateTime(new Date(at), "Europe/Bucharest", "en")).toBe(direct(new Date(at), "Europe/Bucharest", "en"));
    }
  });
});
