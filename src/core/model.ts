// Domain model shared by the engine, the store port and the adapters.
// Plain data only: no platform or database types leak in here.

export const ITEMS = ["goal", "task", "bond"] as const;
/** One of the three working-alliance items (Bordin). */
export type Item = (typeof ITEMS)[number];

export const TENSION_ANSWERS = ["no", "a_little", "yes"] as const;
export type TensionAnswer = (typeof TENSION_ANSWERS)[number];
export const TALKED_THROUGH_ANSWERS = ["yes", "partly", "no"] as const;
export type TalkedThroughAnswer = (typeof TALKED_THROUGH_ANSWERS)[number];

export const LOCALES = ["en", "ro"] as const;
export type Locale = (typeof LOCALES)[number];

export type PlatformName = "terminal" | "slack" | "discord";

export type CheckInStatus =
  | "scheduled"
  | "sending"
  | "sent"
  | "answered"
  | "expired"
  | "skipped"
  | "missed_by_system"
  | "failed"
  | "cancelled";

/** How a client receives check-ins: in the chat, or as a link to the practice's own web page (no clinical data in the chat). */
export const DELIVERIES = ["chat", "link"] as const;
export type Delivery = (typeof DELIVERIES)[number];

export type EnrollmentStatus = "active" | "paused" | "ended";
/** "withdrawn": the client corrected the answers the alert rested on, and no signal held any more. */
export type AlertStatus = "open" | "acknowledged" | "repaired" | "dismissed" | "withdrawn";
export type AlertSeverity = "normal" | "urgent";

export interface Practice {
  id: string;
  platform: PlatformName;
  /** Slack team id, Discord guild id, or "local" for the terminal. */
  externalId: string;
  locale: Locale;
  timeZone: string;
  settings: PracticeSettings;
  /** The bot-side send failure code admins were last told about (token, permissions, payload); null once a send works. */
  sendIssueCode?: string | null;
}

export interface QuietHours {
  /** Local HH:mm at which quiet time starts. */
  start: string;
  /** Local HH:mm at which quiet time ends (may be on the next day). */
  end: string;
}

export interface RuptureThresholds {
  /** An item at or below this value is a low level ("low item"). */
  lowItem: number;
  /** A total strictly below this value is a low level ("low total"). */
  lowTotal: number;
  /** The smallest total drop below the anchored baseline that can fire "drop", in points. */
  totalDrop: number;
  /** The smallest item drop below its anchored baseline that can fire "drop", in points. */
  itemDrop: number;
  /** How many recent answered check-ins make the short baseline (3..10; fewer than 3 = cold start). */
  baselineSize: number;
  /**
   * z for the reliable-drop test and the drop rule (2.33 = 1 % one-sided: with 20+ check-ins a
   * year per client, Jacobson & Truax's 1.96 would give about 4 in 10 stable clients a false alert).
   */
  rciZ: number;
  /** Floor on the client's own standard deviation of totals, so a flat history does not make every dip "reliable". */
  rciSdFloor: number;
  /** Points the total must fall, plateaus allowed, to fire "decline". */
  declineFall: number;
  /** How many check-ins (the current one included) a decline may span. */
  declineWindow: number;
  /** Consecutive expired check-ins (downtime and pauses excluded) that fire "withdrawal". */
  missedInRow: number;
}

export interface PracticeSettings {
  tensionQuestion: boolean;
  commentQuestion: boolean;
  tidyMode: boolean;
  /** Defaults for new enrollments: minutes until the reminder, and the answer window. */
  reminderMinutes: number;
  windowMinutes: number;
  quietHours: QuietHours | null;
  thresholds: RuptureThresholds;
  /** chat (the default) or link: new and existing enrollments without their own choice follow it. */
  delivery?: Delivery;
  /** Practice-specific crisis resource text per locale; a missing locale uses the documented default. */
  crisisResources?: Partial<Record<Locale, string>>;
}

export const DEFAULT_THRESHOLDS: RuptureThresholds = {
  lowItem: 2,
  lowTotal: 12,
  totalDrop: 2,
  itemDrop: 2,
  baselineSize: 5,
  rciZ: 2.33,
  rciSdFloor: 1.25,
  declineFall: 3,
  declineWindow: 6,
  missedInRow: 2,
};

export const DEFAULT_SETTINGS: PracticeSettings = {
  tensionQuestion: true,
  commentQuestion: true,
  tidyMode: false,
  reminderMinutes: 240,
  windowMinutes: 2880,
  quietHours: { start: "22:00", end: "08:00" },
  thresholds: DEFAULT_THRESHOLDS,
};

export interface Person {
  id: string;
  practiceId: string;
  /** Platform user id (Slack U…, Discord snowflake, terminal handle). Never a display name. */
  platformUserId: string;
  isAdmin: boolean;
  isTherapist: boolean;
  isClient: boolean;
  locale: Locale | null;
  consentVersion: string | null;
  consentAt: Date | null;
  consentDeclinedAt: Date | null;
  stoppedAt: Date | null;
  pausedUntil: Date | null;
  undeliverableAt: Date | null;
  undeliverableCode: string | null;
  /** Recipient-unreachable sends in a row since the client was last reached (0 when reachable). */
  unreachableFailures?: number;
  /** Back-off: scheduled check-ins before this time are not attempted; `/checkin now` always is. */
  unreachableRetryAt?: Date | null;
  /** Weekly digest day for a therapist: ISO weekday 1..7, 0 = off, null = default (Monday). */
  digestWeekday?: number | null;
  /** Weekly digest local time "HH:mm"; null = default (08:00). */
  digestTime?: string | null;
}

/**
 * Whether the person agreed to the consent text now in force (CONSENT_VERSION). A client who
 * agreed to an earlier version is asked again before the next prompt; nothing is sent until then.
 */
export function consentIsCurrent(person: Pick<Person, "consentAt" | "consentVersion">, version: string): boolean {
  return person.consentAt !== null && person.consentVersion === version;
}

/** Weekly recurrence of therapy sessions in the client's time zone. */
export interface WeeklySchedule {
  /** ISO weekdays, 1 = Monday … 7 = Sunday, ascending, no duplicates. */
  weekdays: number[];
  /** Local session start, "HH:mm". */
  startTime: string;
  /** Session length in minutes. */
  sessionMinutes: number;
}

export interface CheckInTiming {
  /** Minutes after the session end at which the prompt is due (default 10). */
  delayMinutes: number;
  /** Minutes after sending at which one reminder goes out if unanswered (default 240). */
  reminderMinutes: number;
  /** Minutes after the session end during which answers are accepted (default 2880). */
  windowMinutes: number;
}

/**
 * What decides when an enrollment's sessions end: its weekly rule, the therapist's connected
 * calendar (events carrying the enrollment's code), or both (one check-in per session).
 */
export const SCHEDULE_SOURCES = ["weekly", "calendar", "both"] as const;
export type ScheduleSource = (typeof SCHEDULE_SOURCES)[number];

export interface Enrollment extends WeeklySchedule, CheckInTiming {
  id: string;
  practiceId: string;
  clientId: string;
  therapistId: string;
  status: EnrollmentStatus;
  timeZone: string;
  locale: Locale | null;
  /** This enrollment's own delivery (enroll … delivery=link); null or absent follows the practice. */
  delivery?: Delivery | null;
  pausedUntil: Date | null;
  /** Local dates "yyyy-MM-dd" on which no check-in is sent. */
  skipDates: string[];
  createdAt: Date;
  endedAt: Date | null;
  /** Weekly rule, calendar, or both. With "calendar" the weekly fields are unused (no weekdays). */
  scheduleSource: ScheduleSource;
  /** Short code ("CI-7K2P") marking this client's sessions in the therapist's calendar; null for enrollments made before calendars existed, until one is connected. */
  calendarCode: string | null;
}

export interface CheckIn {
  id: string;
  enrollmentId: string;
  /** scheduled: the weekly rule; now: `/checkin now`; calendar: a session in the therapist's calendar. */
  kind: "scheduled" | "now" | "calendar";
  status: CheckInStatus;
  sessionEndAt: Date;
  dueAt: Date;
  remindAt: Date;
  closesAt: Date;
  /** Fencing token: incremented by every claim. */
  attempt: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  sentAt: Date | null;
  reminderSentAt: Date | null;
  answeredAt: Date | null;
  platformChannelId: string | null;
  platformMessageId: string | null;
  /** For a calendar session: the hash of its event's UID and recurrence id (never the event itself). */
  calendarEventHash?: string | null;
}

export interface ResponseRecord {
  checkInId: string;
  goal: number | null;
  task: number | null;
  bond: number | null;
  tension: TensionAnswer | null;
  talkedThrough: TalkedThroughAnswer | null;
  /** Whether an (encrypted) comment is stored. The text itself is only decrypted on demand. */
  hasComment: boolean;
  createdAt: Date;
  completedAt: Date | null;
}

/** A completed answer set, as the rupture rules see it. */
export interface ScoredCheckIn {
  checkInId: string;
  sessionEndAt: Date;
  goal: number;
  task: number;
  bond: number;
  tension: TensionAnswer | null;
  talkedThrough: TalkedThroughAnswer | null;
  comment: string | null;
}

export interface FiredSignal {
  /** Stable signal code, e.g. "low_item". */
  code: string;
  /** Numbers behind the signal, used to explain it in words. */
  params: Record<string, string | number>;
  /**
   * The check-in whose answers the signal was evaluated from. Re-evaluating that check-in (a
   * corrected answer) replaces exactly these. Absent for withdrawal and crisis signals, which
   * answers do not change.
   */
  checkInId?: string;
}

export interface Alert {
  id: string;
  enrollmentId: string;
  checkInId: string | null;
  status: AlertStatus;
  severity: AlertSeverity;
  signals: FiredSignal[];
  createdAt: Date;
  updatedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  snoozedUntil: Date | null;
  /** When the one reminder to the therapist went out (unacknowledged alert). */
  remindedAt?: Date | null;
  /** When the alert was escalated to the practice admins. */
  escalatedAt?: Date | null;
  platformChannelId: string | null;
  platformMessageId: string | null;
}

/**
 * One step of the alert lifecycle, as the engine took it: the alert was opened, updated with
 * new signals, withdrawn (corrected answers left no signal) or marked repaired. The back-test
 * (`npm run evaluate`) reads these, so its alert events are the engine's own.
 */
export interface AlertEvent {
  action: "opened" | "updated" | "withdrawn" | "repaired";
  /** The alert after the step. */
  alert: Alert;
  /** The signals that caused an opening or update (empty for withdrawn and repaired). */
  fired: FiredSignal[];
  /** The finding was urgent (crisis language): the therapist got a new message. */
  urgent: boolean;
}

export interface AuditEntry {
  id: string;
  practiceId: string;
  actorPersonId: string | null;
  action: string;
  subjectPersonId: string | null;
  detail: Record<string, string | number | boolean | null>;
  createdAt: Date;
}
