// Practice settings editable with `/checkin settings <key> <value>`, each validated with zod.

import { z } from "zod";
import type { Locale, Practice, PracticeSettings } from "../model.ts";
import { DELIVERIES } from "../model.ts";
import { canonicalTimeZone, isValidLocalTime, parseDurationMinutes } from "../schedule.ts";

const onOff = z.enum(["on", "off"]).transform((v) => v === "on");
const scoreThreshold = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

interface SettingSpec {
  example: string;
  read(practice: Practice): string;
  /** Returns the updated practice fields, or null if the value is invalid. */
  apply(value: string, practice: Practice): { settings?: PracticeSettings; locale?: Locale; timeZone?: string } | null;
}

function threshold(key: keyof PracticeSettings["thresholds"], min: number, max: number, example: string): SettingSpec {
  return {
    example,
    read: (p) => String(p.settings.thresholds[key]),
    apply(value, p) {
      const parsed = scoreThreshold(min, max).safeParse(value);
      return parsed.success ? { settings: { ...p.settings, thresholds: { ...p.settings.thresholds, [key]: parsed.data } } } : null;
    },
  };
}

/** A decimal threshold (the reliable-drop z and SD floor, also used by the drop and decline rules), stored as given to two decimals. */
function decimal(key: "rciZ" | "rciSdFloor", min: number, max: number, example: string): SettingSpec {
  return {
    example,
    read: (p) => String(p.settings.thresholds[key]),
    apply(value, p) {
      const parsed = z.coerce.number().min(min).max(max).safeParse(value.replace(",", "."));
      return parsed.success ? { settings: { ...p.settings, thresholds: { ...p.settings.thresholds, [key]: Math.round(parsed.data * 100) / 100 } } } : null;
    },
  };
}

/** The practice's crisis resource text for one locale; "default" goes back to the documented default. */
function crisisText(locale: Locale): SettingSpec {
  return {
    example: `/checkin settings crisis_${locale} In an emergency call 112. Samaritans: 116 123.   (or default)`,
    read: (p) => p.settings.crisisResources?.[locale] ?? "default",
    apply(value, p) {
      const text = value.trim();
      const resources = { ...(p.settings.crisisResources ?? {}) };
      if (text.toLowerCase() === "default") delete resources[locale];
      else if (text.length >= 5 && text.length <= 1000) resources[locale] = text;
      else return null;
      return { settings: { ...p.settings, crisisResources: resources } };
    },
  };
}

function toggle(key: "tensionQuestion" | "commentQuestion" | "tidyMode", example: string): SettingSpec {
  return {
    example,
    read: (p) => (p.settings[key] ? "on" : "off"),
    apply(value, p) {
      const parsed = onOff.safeParse(value.toLowerCase());
      return parsed.success ? { settings: { ...p.settings, [key]: parsed.data } } : null;
    },
  };
}

/** A duration setting in minutes, written like 4h, 90m or 2d, within [min, max] minutes. */
function minutes(key: "reminderMinutes" | "windowMinutes", min: number, max: number, example: string): SettingSpec {
  return {
    example,
    read: (p) => `${p.settings[key]}m`,
    apply(value, p) {
      const parsed = parseDurationMinutes(value);
      return parsed !== null && parsed >= min && parsed <= max ? { settings: { ...p.settings, [key]: parsed } } : null;
    },
  };
}

export const SETTINGS: Record<string, SettingSpec> = {
  locale: {
    example: "/checkin settings locale ro",
    read: (p) => p.locale,
    apply: (value) => (value === "en" || value === "ro" ? { locale: value } : null),
  },
  timezone: {
    example: "/checkin settings timezone Europe/Bucharest",
    read: (p) => p.timeZone,
    apply: (value) => {
      const tz = canonicalTimeZone(value);
      return tz ? { timeZone: tz } : null;
    },
  },
  quiet_hours: {
    example: "/checkin settings quiet_hours 22:00-08:00   (or off)",
    read: (p) => (p.settings.quietHours ? `${p.settings.quietHours.start}-${p.settings.quietHours.end}` : "off"),
    apply(value, p) {
      if (value.toLowerCase() === "off") return { settings: { ...p.settings, quietHours: null } };
      const match = /^(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/.exec(value);
      if (!match || !isValidLocalTime(match[1] as string) || !isValidLocalTime(match[2] as string)) return null;
      return { settings: { ...p.settings, quietHours: { start: match[1] as string, end: match[2] as string } } };
    },
  },
  delivery: {
    example: "/checkin settings delivery link   (or chat)",
    read: (p) => p.settings.delivery ?? "chat",
    apply(value, p) {
      const delivery = DELIVERIES.find((candidate) => candidate === value.toLowerCase());
      return delivery ? { settings: { ...p.settings, delivery } } : null;
    },
  },
  tension: toggle("tensionQuestion", "/checkin settings tension off"),
  comments: toggle("commentQuestion", "/checkin settings comments on"),
  tidy: toggle("tidyMode", "/checkin settings tidy on"),
  reminder_after: minutes("reminderMinutes", 15, 24 * 60, "/checkin settings reminder_after 4h"),
  answer_window: minutes("windowMinutes", 60, 14 * 24 * 60, "/checkin settings answer_window 48h"),
  low_item: threshold("lowItem", 1, 4, "/checkin settings low_item 2"),
  low_total: threshold("lowTotal", 3, 15, "/checkin settings low_total 12"),
  total_drop: threshold("totalDrop", 1, 12, "/checkin settings total_drop 2"),
  item_drop: threshold("itemDrop", 1, 4, "/checkin settings item_drop 2"),
  // rupture detection (issue 5)
  baseline_size: threshold("baselineSize", 3, 10, "/checkin settings baseline_size 5"),
  rci_z: decimal("rciZ", 1, 4, "/checkin settings rci_z 2.33"),
  rci_floor: decimal("rciSdFloor", 0.5, 5, "/checkin settings rci_floor 1.25"),
  decline_fall: threshold("declineFall", 2, 12, "/checkin settings decline_fall 3"),
  decline_window: threshold("declineWindow", 3, 10, "/checkin settings decline_window 6"),
  missed_in_row: threshold("missedInRow", 1, 6, "/checkin settings missed_in_row 2"),
  crisis_en: crisisText("en"),
  crisis_ro: crisisText("ro"),
};

export const SETTING_KEYS = Object.keys(SETTINGS);
