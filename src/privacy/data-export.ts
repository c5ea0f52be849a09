// Builds the files a person receives for an access request (`/checkin mydata`) or an admin
// export (`/checkin export`): one JSON document with everything, and a CSV of the check-ins.
// Pure: records and a decrypt function in, file contents out.

import type { FileView } from "../ports/chat-platform.ts";
import type { ClientRecords } from "../ports/privacy-store.ts";

export const EXPORT_FORMAT = "alliance-checkin-export";
export const EXPORT_VERSION = 1;

/** Decrypts a stored comment; returns null when it cannot (unknown key), never throws. */
export type CommentReader = (cipher: string, keyId: string) => string | null;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: number;
  generatedAt: string;
  subject: Record<string, unknown>;
  enrollments: Record<string, unknown>[];
  checkIns: Record<string, unknown>[];
  alerts: Record<string, unknown>[];
  audit: Record<string, unknown>[];
  /** Comments that could not be decrypted (their key is no longer configured). */
  unreadableComments: number;
}

export function buildExportDocument(records: ClientRecords, readComment: CommentReader, now: Date): ExportDocument {
  const { person } = records;
  let unreadableComments = 0;
  const checkIns = records.checkIns.map((checkIn) => {
    const response = records.responses[checkIn.id];
    let comment: string | null = null;
    if (response?.commentCipher) {
      comment = readComment(response.commentCipher, response.commentKeyId ?? "");
      if (comment === null) unreadableComments++;
    }
    const scores = response && response.goal !== null && response.task !== null && response.bond !== null ? response.goal + response.task + response.bond : null;
    return {
      id: checkIn.id,
      enrollmentId: checkIn.enrollmentId,
      kind: checkIn.kind,
      status: checkIn.status,
      sessionEndAt: iso(checkIn.sessionEndAt),
      sentAt: iso(checkIn.sentAt),
      closesAt: iso(checkIn.closesAt),
      answeredAt: iso(checkIn.answeredAt),
      goal: response?.goal ?? null,
      task: response?.task ?? null,
      bond: response?.bond ?? null,
      total: scores,
      tension: response?.tension ?? null,
      talkedThrough: response?.talkedThrough ?? null,
      comment,
      completedAt: iso(response?.completedAt ?? null),
    };
  });
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    generatedAt: now.toISOString(),
    subject: {
      userId: person.platformUserId,
      roles: { client: person.isClient, therapist: person.isTherapist, admin: person.isAdmin },
      locale: person.locale,
      consentVersion: person.consentVersion,
      consentAt: iso(person.consentAt),
      consentDeclinedAt: iso(person.consentDeclinedAt),
      stoppedAt: iso(person.stoppedAt),
      pausedUntil: iso(person.pausedUntil),
    },
    enrollments: records.enrollments.map((e) => ({
      id: e.id,
      therapistUserId: records.therapistUserIds[e.therapistId] ?? null,
      status: e.status,
      weekdays: e.weekdays,
      startTime: e.startTime,
      sessionMinutes: e.sessionMinutes,
      timeZone: e.timeZone,
      delayMinutes: e.delayMinutes,
      locale: e.locale,
      pausedUntil: iso(e.pausedUntil),
      skipDates: e.skipDates,
      createdAt: iso(e.createdAt),
      endedAt: iso(e.endedAt),
    })),
    checkIns,
    alerts: records.alerts.map((a) => ({
      id: a.id,
      enrollmentId: a.enrollmentId,
      checkInId: a.checkInId,
      status: a.status,
      severity: a.severity,
      signals: a.signals,
      createdAt: iso(a.createdAt),
      acknowledgedAt: iso(a.acknowledgedAt),
      resolvedAt: iso(a.resolvedAt),
    })),
    audit: records.audit.map((entry) => ({ action: entry.action, at: iso(entry.createdAt), detail: entry.detail })),
    unreadableComments,
  };
}

const CSV_COLUMNS = [
  "check_in_id",
  "session_end_utc",
  "status",
  "goal",
  "task",
  "bond",
  "total",
  "tension",
  "talked_through",
  "comment",
  "answered_at_utc",
  // The client, so that exports can be joined into one practice file for `npm run evaluate`.
  "client",
] as const;

/**
 * One CSV field (RFC 4180). A value that a spreadsheet would run as a formula (starting with
 * = + - @ or a tab/CR) is prefixed with an apostrophe: exports are opened in Excel, and a
 * comment must never become a formula there.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function buildCheckInCsv(document: ExportDocument): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const c of document.checkIns) {
    lines.push(
      [c.id, c.sessionEndAt, c.status, c.goal, c.task, c.bond, c.total, c.tension, c.talkedThrough, c.comment, c.answeredAt, document.subject.userId].map(csvField).join(","),
    );
  }
  // A byte-order mark makes Excel read UTF-8 (Romanian diacritics, emoji) correctly.
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}

/** The JSON and CSV files for one person; `stem` names them, e.g. "checkins-U123-2026-03-02". */
export function exportFiles(document: ExportDocument, stem: string, comment: string): FileView[] {
  return [
    { filename: `${stem}.json`, contentType: "application/json", content: `${JSON.stringify(document, null, 2)}\n`, comment },
    { filename: `${stem}.csv`, contentType: "text/csv", content: buildCheckInCsv(document), comment: "" },
  ];
}

/** A file name stem safe on every platform and file system. */
export function exportStem(userId: string, now: Date): string {
  return `checkins-${userId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40)}-${now.toISOString().slice(0, 10)}`;
}
