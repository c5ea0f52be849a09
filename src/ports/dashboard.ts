// The DashboardStore port: the web view's read side (caseload, one client's history, alert
// history, the practice overview, the audit log) plus the one thing the view writes itself,
// a therapist's note on an alert action. src/store/dashboard-store.ts implements it; route
// handlers call these methods and never hold SQL. Every read is scoped by practice id, and
// the caller has already authorised the viewer for that practice (src/dashboard/access.ts).

import type { Alert, AuditEntry, CheckInStatus, Enrollment, Person, ScoredCheckIn } from "../core/model.ts";

/** One answered check-in as the dashboard shows it: the scored check-in, with whether it has a comment instead of the comment. */
export type ScoredPoint = Omit<ScoredCheckIn, "comment"> & { hasComment: boolean };

/** A closed check-in that was not answered. */
export interface UnansweredPoint {
  checkInId: string;
  sessionEndAt: Date;
  status: CheckInStatus;
}

/** One row of the caseload: a client's current enrollment and what the list shows about it. */
export interface CaseloadEntry {
  enrollment: Enrollment;
  client: Pick<Person, "id" | "platformUserId" | "pausedUntil" | "stoppedAt" | "undeliverableAt">;
  therapistUserId: string;
  /** Newest answered check-ins first, at most CASELOAD_RECENT. */
  recent: ScoredPoint[];
  answeredCount: number;
  /** Outcomes of the newest closed check-ins (answered or not), newest first, at most CASELOAD_RECENT. */
  recentOutcomes: { sessionEndAt: Date; status: CheckInStatus }[];
  /** Expired (unanswered) check-ins in the last 30 days; system downtime is not counted. */
  missed30d: number;
  nextDueAt: Date | null;
  /** The enrollment's unresolved (open or acknowledged) alert. */
  alert: Alert | null;
}

/** How many answered check-ins and outcomes each caseload row carries (trend plus a baseline). */
export const CASELOAD_RECENT = 11;

export interface EnrollmentView {
  enrollment: Enrollment;
  clientUserId: string;
  therapistUserId: string;
}

export interface ClientHistory {
  /** Oldest first, the newest `limit` answered check-ins. */
  scored: ScoredPoint[];
  /** Closed unanswered check-ins in the same span, oldest first. */
  unanswered: UnansweredPoint[];
  answeredCount: number;
  nextDueAt: Date | null;
}

export interface AlertNoteRecord {
  id: string;
  alertId: string;
  authorUserId: string | null;
  change: string;
  noteCipher: string;
  noteKeyId: string;
  createdAt: Date;
}

export interface AlertWithNotes {
  alert: Alert;
  notes: AlertNoteRecord[];
}

export interface EncryptedCommentRow {
  checkInId: string;
  sessionEndAt: Date;
  commentCipher: string;
  commentKeyId: string;
}

export interface OverviewEnrollment extends EnrollmentView {
  nextDueAt: Date | null;
}

export interface PracticeOverview {
  enrollments: OverviewEnrollment[];
  /** Closed check-ins since the given time: when and how each ended. */
  outcomes: { sessionEndAt: Date; status: CheckInStatus }[];
  /** Alerts created since the given time, signals parsed. */
  alerts: Pick<Alert, "createdAt" | "signals" | "status">[];
  undeliverable: Pick<Person, "id" | "platformUserId" | "undeliverableAt" | "undeliverableCode">[];
}

export interface AuditFilter {
  action?: string;
  /** Entries this person did or that concern them. */
  personId?: string;
  from?: Date;
  to?: Date;
}

export interface AuditRow {
  entry: AuditEntry;
  actorUserId: string | null;
  subjectUserId: string | null;
}

export interface NewAlertNote {
  alertId: string;
  authorId: string;
  change: string;
  noteCipher: string;
  noteKeyId: string;
  createdAt: Date;
}

export interface DashboardStore {
  /** Current (not ended) enrollments of the practice, or of one therapist, with their caseload data. */
  caseload(practiceId: string, therapistId: string | null, now: Date): Promise<CaseloadEntry[]>;
  /** The enrollment with its two people, if it belongs to the practice. */
  enrollmentView(practiceId: string, enrollmentId: string): Promise<EnrollmentView | null>;
  clientHistory(enrollmentId: string, limit: number): Promise<ClientHistory>;
  /** The enrollment's alerts, newest first, with their notes (oldest first). */
  alertHistory(enrollmentId: string, limit: number): Promise<AlertWithNotes[]>;
  /** The encrypted comments of the enrollment's newest `limit` answered check-ins, newest first. */
  encryptedComments(enrollmentId: string, limit: number): Promise<EncryptedCommentRow[]>;
  overview(practiceId: string, since: Date): Promise<PracticeOverview>;
  /** Audit entries of the practice, newest first. */
  auditLog(practiceId: string, filter: AuditFilter, limit: number, offset: number): Promise<AuditRow[]>;
  /** The practice's distinct audit actions (for the filter's choices). */
  auditActions(practiceId: string): Promise<string[]>;
  /** A person of the practice by platform user id (audit filter, exports). */
  personByUserId(practiceId: string, platformUserId: string): Promise<Person | null>;
  addAlertNote(note: NewAlertNote): Promise<void>;
}
