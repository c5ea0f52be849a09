// The CheckInStore port: everything the engine persists. src/store implements it over Prisma
// (SQLite or PostgreSQL). Every method is atomic on its own; methods that take an `attempt`
// are fenced: they only write if the row is still held by that claim.

import type {
  Alert,
  AlertSeverity,
  AlertStatus,
  AuditEntry,
  CheckIn,
  CheckInStatus,
  Enrollment,
  FiredSignal,
  Locale,
  Person,
  PlatformName,
  Practice,
  PracticeSettings,
  ResponseRecord,
  ScoredCheckIn,
  TalkedThroughAnswer,
  TensionAnswer,
} from "../core/model.ts";
import type { MessageRef } from "./chat-platform.ts";

export type PersonPatch = Partial<
  Pick<
    Person,
    | "isAdmin"
    | "isTherapist"
    | "isClient"
    | "locale"
    | "consentVersion"
    | "consentAt"
    | "consentDeclinedAt"
    | "stoppedAt"
    | "pausedUntil"
    | "undeliverableAt"
    | "undeliverableCode"
    | "unreachableFailures"
    | "unreachableRetryAt"
    | "digestWeekday"
    | "digestTime"
  >
>;

export type NewEnrollment = Omit<Enrollment, "id" | "createdAt" | "endedAt" | "status" | "pausedUntil" | "skipDates" | "scheduleSource" | "calendarCode"> &
  Partial<Pick<Enrollment, "scheduleSource" | "calendarCode">>;
export type EnrollmentPatch = Partial<
  Pick<
    Enrollment,
    | "status"
    | "weekdays"
    | "startTime"
    | "sessionMinutes"
    | "timeZone"
    | "delayMinutes"
    | "reminderMinutes"
    | "windowMinutes"
    | "locale"
    | "pausedUntil"
    | "skipDates"
    | "endedAt"
    | "scheduleSource"
    | "calendarCode"
  >
>;

export interface NewCheckIn {
  enrollmentId: string;
  kind: "scheduled" | "now" | "calendar";
  sessionEndAt: Date;
  dueAt: Date;
  remindAt: Date;
  closesAt: Date;
}

/** How a claimed check-in ended; written only if the claim's attempt still holds. */
export type ClaimOutcome =
  /** `remindAt`: when the one reminder is due, measured from this send. */
  | { status: "sent"; ref: MessageRef; sentAt: Date; remindAt: Date }
  | { status: "missed_by_system" }
  | { status: "cancelled"; code: string }
  | { status: "failed"; code: string }
  /** Put back to `scheduled` (rate limit, quiet hours, transient error). */
  | { status: "scheduled"; dueAt: Date; code?: string };

export interface AnswerPatch {
  goal?: number;
  task?: number;
  bond?: number;
  tension?: TensionAnswer;
  talkedThrough?: TalkedThroughAnswer;
}

/** The receipt of an inbound delivery (platform + delivery key), so a redelivery changes nothing. */
export interface Receipt {
  platform: PlatformName;
  key: string;
}

/** Who pressed: platform, workspace (team or guild) and user id. */
export interface AnswerActor {
  platform: PlatformName;
  workspaceId: string;
  userId: string;
}

/**
 * The engine's decision whether a press may be saved on the spot, on the check-in's context as
 * the store read it (src/core/answer-rule.ts). Synchronous: the store calls it between its read
 * and its write.
 */
export type AnswerDecision = (context: CheckInContext) => boolean;

export interface OpenAnswer {
  context: CheckInContext | null;
  /** The decision said yes for this context; with `saved` null, the receipt was there already (a redelivery). */
  allowed: boolean;
  saved: SavedAnswer | null;
  /**
   * When an evaluation limit was asked for and this write completed the response: the rule
   * inputs as evaluationInputs would read them right after the write. Null otherwise.
   */
  evaluation: EvaluationInputs | null;
}

export interface EvaluationInputs {
  history: ScoredRow[];
  unresolved: Alert | null;
}

export interface SavedAnswer {
  response: ResponseRecord;
  /** This save completed the response and moved the check-in from `sent` to `answered`. */
  answeredNow: boolean;
}

/**
 * A completed response joined with its check-in, as the store returns it: the check-in the
 * rupture rules read (ScoredCheckIn), with the comment still encrypted.
 */
export type ScoredRow = Omit<ScoredCheckIn, "comment"> & {
  commentCipher: string | null;
  commentKeyId: string | null;
  /** The session came from the therapist's calendar. */
  fromCalendar?: boolean;
};

export interface NewAlert {
  enrollmentId: string;
  checkInId: string | null;
  severity: AlertSeverity;
  signals: FiredSignal[];
  createdAt: Date;
}

export type AlertPatch = Partial<
  Pick<Alert, "status" | "severity" | "signals" | "checkInId" | "acknowledgedAt" | "resolvedAt" | "snoozedUntil" | "platformChannelId" | "platformMessageId">
> & { updatedAt: Date; remindedAt?: Date | null; escalatedAt?: Date | null };

export type NewAuditEntry = Omit<AuditEntry, "id" | "createdAt"> & { createdAt: Date };

/** A check-in with what authorising an action on it needs, read together. */
export interface CheckInContext {
  checkIn: CheckIn;
  enrollment: Enrollment;
  practice: Practice;
  client: Person;
}

/** A client's check-in link as stored: the hash of its token, bound to one check-in and one client. */
export interface LinkTokenRecord {
  tokenHash: string;
  checkInId: string;
  personId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** A check-in link as stored, with what its page shows: the check-in's context and response. */
export interface LinkedCheckIn {
  link: LinkTokenRecord;
  context: CheckInContext;
  /** The check-in's response, if an answer was ever saved (without the comment text). */
  response: ResponseRecord | null;
}

/**
 * Everything the engine persists, composed of one part per aggregate (src/store has one module
 * per part).
 */
export interface CheckInStore extends PeopleStore, CheckInQueueStore, AnswerStore, AlertStore, InboundStore, LinkTokenStore {}

/** Practices, people and enrollments. */
export interface PeopleStore {
  /** Returns the practice for a workspace/guild, creating it with defaults on first contact. */
  ensurePractice(platform: PlatformName, externalId: string): Promise<Practice>;
  /** The practice, if one exists; never creates it (refusals leave no trace). */
  findPractice(platform: PlatformName, externalId: string): Promise<Practice | null>;
  getPractice(id: string): Promise<Practice | null>;
  updatePractice(id: string, patch: { locale?: Locale; timeZone?: string; settings?: PracticeSettings; sendIssueCode?: string | null; sendIssueAt?: Date | null }): Promise<Practice>;
  findPerson(practiceId: string, platformUserId: string): Promise<Person | null>;
  /** Returns the person, creating a role-less record on first contact. */
  ensurePerson(practiceId: string, platformUserId: string): Promise<Person>;
  getPerson(id: string): Promise<Person | null>;
  /** The people with these ids that exist, in no particular order (one read for several). */
  getPeople(ids: string[]): Promise<Person[]>;
  updatePerson(id: string, patch: PersonPatch): Promise<Person>;
  listAdmins(practiceId: string): Promise<Person[]>;
  /** Every practice on the platform where this user has a person record, oldest record first. */
  practicesOfUser(platform: PlatformName, platformUserId: string): Promise<{ practice: Practice; person: Person }[]>;

  /** Therapists of every practice with at least one enrollment that is not ended (weekly digests). */
  listActiveTherapists(): Promise<Person[]>;

  createEnrollment(input: NewEnrollment): Promise<Enrollment>;
  getEnrollment(id: string): Promise<Enrollment | null>;
  /** The client's enrollment that is not ended, if any (at most one per client). */
  currentEnrollmentForClient(clientId: string): Promise<Enrollment | null>;
  updateEnrollment(id: string, patch: EnrollmentPatch): Promise<Enrollment>;
  /** Enrollments that are not ended, optionally for one therapist. */
  listEnrollments(practiceId: string, filter?: { therapistId?: string }): Promise<Enrollment[]>;

}

/** Check-ins and their claims (the send queue, reminders, expiry). */
export interface CheckInQueueStore {
  /**
   * Inserts a check-in; returns null if one already exists for the same enrollment and session
   * end, or, for a `now` check-in, if the enrollment already has an open (scheduled, sending or
   * sent) `now` check-in. A unique index enforces both, so concurrent inserts create one.
   */
  insertCheckIn(input: NewCheckIn): Promise<CheckIn | null>;
  getCheckIn(id: string): Promise<CheckIn | null>;
  /** The check-in with its enrollment, practice and client in one read; null if unknown. */
  checkInContext(id: string): Promise<CheckInContext | null>;
  /** Cancels the enrollment's check-ins still in `scheduled`; returns how many. */
  cancelScheduledCheckIns(enrollmentId: string, now: Date): Promise<number>;
  /** The enrollment's next `scheduled` check-in, if any. */
  nextScheduledCheckIn(enrollmentId: string): Promise<CheckIn | null>;
  /** The enrollment's newest check-in that was sent and is still open for answers. */
  openCheckIn(enrollmentId: string, now: Date): Promise<CheckIn | null>;
  /** The enrollment's check-ins not yet sent (`scheduled` or `sending`), soonest due first. */
  queuedCheckIns(enrollmentId: string): Promise<CheckIn[]>;
  /** Brings a still `scheduled` check-in's due time forward to `dueAt`; false when it is no longer queued. */
  releaseCheckIn(id: string, dueAt: Date, now: Date): Promise<boolean>;
  /**
   * Whether another check-in of the enrollment, for a session ending within `withinMs` of
   * `sessionEndAt`, already reached the client (`sent`, `answered` or `skipped`).
   */
  sessionPrompted(enrollmentId: string, exceptId: string, sessionEndAt: Date, withinMs: number): Promise<boolean>;
  /**
   * Claims up to `limit` check-ins that are due (`scheduled`, dueAt ≤ now) or whose lease expired
   * (`sending`, leaseExpiresAt < now): sets `sending`, the lease, and increments `attempt`.
   * Safe against concurrent claimants (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  claimDueCheckIns(now: Date, owner: string, leaseMs: number, limit: number): Promise<CheckIn[]>;
  /** Finishes a claim. Returns false (and writes nothing) if another claimant took the row since. */
  completeClaim(id: string, attempt: number, outcome: ClaimOutcome, now: Date): Promise<boolean>;
  /** Releases every lease held by `owner` (graceful shutdown): `sending` rows go back to `scheduled`. */
  releaseLeases(owner: string, now: Date): Promise<number>;
  /** Atomically marks up to `limit` unanswered sent check-ins whose reminder is due; returns them. */
  claimDueReminders(now: Date, limit: number): Promise<CheckIn[]>;
  /**
   * Puts a claimed reminder back, due at `remindAt` (quiet hours, pause, a failed send), while the
   * check-in is still `sent`; false when it is not any more.
   */
  deferReminder(id: string, remindAt: Date, now: Date): Promise<boolean>;
  /** Moves sent check-ins whose window closed to `expired`; returns them. */
  expireClosed(now: Date, limit: number): Promise<CheckIn[]>;
  /** Conditional status change; false when the row was not in one of `from`. */
  transitionCheckIn(id: string, from: CheckInStatus[], to: CheckInStatus, now: Date): Promise<boolean>;
  /** The prompt that replaced the consent message was sent: its message, and its reminder measured from now. */
  setCheckInMessage(id: string, ref: MessageRef, now: Date, remindAt?: Date): Promise<void>;
  /** The enrollment's most recent check-ins whose outcome is known, newest first. */
  recentClosedCheckIns(enrollmentId: string, limit: number): Promise<CheckIn[]>;
  /** Number of check-ins waiting to be sent (queue depth). */
  countDue(now: Date): Promise<number>;

}

/** Answers: responses and what rule evaluation reads of them. */
export interface AnswerStore {
  getResponse(checkInId: string): Promise<ResponseRecord | null>;
  /**
   * Creates or updates the response and sets completedAt the first time goal, task and bond are
   * all present; in the same transaction, a complete response moves the check-in from `sent` to
   * `answered`. With a receipt, the receipt is written in that transaction too, and when it was
   * there already nothing changes and null is returned (a redelivered press).
   */
  saveAnswer(checkInId: string, patch: AnswerPatch, now: Date, receipt?: Receipt): Promise<SavedAnswer | null>;
  /**
   * A button press, for the common case: reads the check-in's context, calls `decide` on it, and
   * only when it says yes saves as saveAnswer does. The store decides nothing itself; it makes
   * sure that what is written was decided on the rows as they are when the write commits (a
   * concurrent stop, consent withdrawal, close or second press that changed them makes it read
   * and decide again). Returns the context the decision was made on (null for an unknown
   * check-in) and the decision; when it was no, nothing is written and the caller applies its
   * full checks to that context. With `evaluationLimit`, a write that completes the response
   * also reads, in the same statement, what rule evaluation needs (evaluationInputs with that
   * limit). Throws StoreError `answer_contended` when the rows kept changing under the press.
   */
  answerIfOpen(checkInId: string, decide: AnswerDecision, patch: AnswerPatch, now: Date, receipt?: Receipt, evaluationLimit?: number): Promise<OpenAnswer>;
  /**
   * Stores the encrypted comment. With a receipt, the receipt and the comment are one
   * transaction; if the receipt was there already nothing changes and null is returned.
   */
  saveComment(checkInId: string, cipher: string, keyId: string, now: Date, receipt?: Receipt): Promise<ResponseRecord | null>;
  /** Completed responses of an enrollment, newest first, at most `limit` (a bounded window). */
  recentScored(enrollmentId: string, limit: number): Promise<ScoredRow[]>;
  /** What rule evaluation reads: recentScored plus the enrollment's unresolved alert, read together. */
  evaluationInputs(enrollmentId: string, limit: number): Promise<EvaluationInputs>;

}

/** Alerts and their follow-ups. */
export interface AlertStore {
  /** The enrollment's unresolved alert (open or acknowledged), if any. */
  unresolvedAlert(enrollmentId: string): Promise<Alert | null>;
  getAlert(id: string): Promise<Alert | null>;
  /** Creates an open alert; null when the enrollment already has an unresolved one (at most one). */
  createAlert(input: NewAlert): Promise<Alert | null>;
  /**
   * Compare-and-set: applies the patch only if the alert's signals are still exactly `expected`
   * (null otherwise), so concurrent evaluations never overwrite each other's findings.
   */
  updateAlertIfSignals(id: string, expected: Alert["signals"], patch: AlertPatch): Promise<Alert | null>;
  /** Unresolved alerts whose message never reached the therapist, untouched since the given time. */
  undeliveredAlerts(notUpdatedSince: Date, limit: number): Promise<Alert[]>;
  updateAlert(id: string, patch: AlertPatch): Promise<Alert>;
  listAlerts(enrollmentIds: string[], statuses: AlertStatus[]): Promise<Alert[]>;
  /**
   * Claims `open` alerts created at or before `createdBefore` whose reminder (`remind`) or
   * escalation (`escalate`) has not happened and that are not snoozed at `now`: sets remindedAt
   * or escalatedAt to `now` in one conditional update, so each goes out once across processes.
   */
  claimAlertFollowUps(kind: "remind" | "escalate", createdBefore: Date, now: Date, limit: number): Promise<Alert[]>;
}

/** Inbound receipts and the audit log. Answers write their receipt together with the answer: see saveAnswer. */
export interface InboundStore {
  /** Records a delivery id; false if it was seen before (a retry or replay). */
  recordDelivery(platform: PlatformName, deliveryId: string, now: Date): Promise<boolean>;
  /** When a receipt with this key was recorded, or null (also used for short-lived one-time codes). */
  deliveryRecordedAt(platform: PlatformName, key: string): Promise<Date | null>;
  /**
   * Claims an inbound event's receipt before its action runs. "first": new; "retaken": an earlier
   * claim never recorded completion and is older than `staleBefore` (its process died), so the
   * action runs now; "duplicate": done already, or another process is running it right now.
   */
  claimDelivery(platform: PlatformName, deliveryId: string, now: Date, staleBefore: Date): Promise<"first" | "retaken" | "duplicate">;
  /** Records that a claimed event's action finished; later deliveries of it are duplicates. */
  completeDelivery(platform: PlatformName, deliveryId: string, now: Date): Promise<void>;
  appendAudit(entry: NewAuditEntry): Promise<void>;
  listAudit(practiceId: string, subjectPersonId: string, limit: number): Promise<AuditEntry[]>;
}

/** Link mode: check-in links, stored as the hash of their token. */
export interface LinkTokenStore {
  /** Stores a new check-in link (its token's hash only). */
  createLinkToken(input: Omit<LinkTokenRecord, "revokedAt"> & { createdAt: Date }): Promise<void>;
  /**
   * The link with this token hash, revoked or expired or not, with its check-in's context and
   * response, in one read; null when there is no such link. The engine decides what it opens.
   */
  linkedCheckIn(tokenHash: string): Promise<LinkedCheckIn | null>;
  /** Revokes every unrevoked link of the client (stop, erase-me, erase, end); returns how many. */
  revokeLinkTokens(personId: string, now: Date): Promise<number>;
}
