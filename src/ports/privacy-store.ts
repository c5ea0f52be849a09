// The PrivacyStore port: the data-rights operations (access, erasure, retention, key rotation)
// that read or delete a whole person's data at once. Kept apart from CheckInStore because these
// run rarely, touch many rows, and are owned by src/privacy. src/store implements it in SQL that
// runs unchanged on SQLite and PostgreSQL.

import type { Alert, AuditEntry, CheckIn, Enrollment, Person, ResponseRecord } from "../core/model.ts";
import type { MessageRef } from "./chat-platform.ts";

/** A response with its encrypted comment, as only the export path may read it. */
export interface StoredResponse extends ResponseRecord {
  commentCipher: string | null;
  commentKeyId: string | null;
}

/** Everything stored about one person as a client, for an access request or an export. */
export interface ClientRecords {
  person: Person;
  /** Every enrollment where the person is the client, ended ones included, oldest first. */
  enrollments: Enrollment[];
  /** Platform user ids of the therapists of those enrollments, by therapist person id. */
  therapistUserIds: Record<string, string>;
  /** Every check-in of those enrollments, oldest first. */
  checkIns: CheckIn[];
  /** Responses by check-in id. */
  responses: Record<string, StoredResponse>;
  alerts: Alert[];
  /** Audit entries whose subject is the person, oldest first. */
  audit: AuditEntry[];
}

/** A message the bot posted that erasure should delete from the chat platform. */
export interface PostedMessage {
  /** Platform user id of the DM's other party. */
  recipientUserId: string;
  ref: MessageRef;
}

/** What an erasure removed: counts only, never content. */
export interface ErasureCounts {
  enrollments: number;
  checkIns: number;
  responses: number;
  comments: number;
  alerts: number;
}

/** What one retention pass removed in one practice. */
export interface PurgeCounts {
  practiceId: string;
  checkIns: number;
  responses: number;
  comments: number;
  alerts: number;
  enrollments: number;
}

/** One encrypted comment as key rotation sees it. */
export interface EncryptedComment {
  responseId: string;
  cipher: string;
  keyId: string;
}

/** One encrypted therapist's note on an alert, as key rotation sees it. */
export interface EncryptedAlertNote {
  noteId: string;
  cipher: string;
  keyId: string;
}

export interface PrivacyStore {
  /** All of a person's data as a client. */
  clientRecords(person: Person): Promise<ClientRecords>;
  /** The prompts sent to the client and the alerts sent about them, still on the platform. */
  postedMessages(clientId: string): Promise<PostedMessage[]>;
  /**
   * Deletes the client's responses (comments included), alerts, check-ins and enrollments.
   * Idempotent: a second call after an interruption removes what is left.
   */
  eraseClientData(clientId: string): Promise<ErasureCounts>;
  /**
   * Deletes finished check-ins (with responses) whose session ended before `cutoff`, closed alerts
   * last changed before it, ended enrollments that no longer hold anything, and inbound receipts
   * older than it. Returns per-practice counts for practices where something was removed.
   */
  purgeBefore(cutoff: Date): Promise<PurgeCounts[]>;
  /** How many comments each key id encrypts. */
  commentKeyCounts(): Promise<Record<string, number>>;
  /** Up to `limit` comments not encrypted with `currentKeyId`, by response id after `afterId`. */
  commentsNotUnder(currentKeyId: string, afterId: string, limit: number): Promise<EncryptedComment[]>;
  /** Replaces one comment's ciphertext if it is still under `expectedKeyId`; false if it changed meanwhile. */
  replaceComment(responseId: string, expectedKeyId: string, cipher: string, keyId: string, now: Date): Promise<boolean>;
  /** How many therapists' alert notes each key id encrypts. */
  alertNoteKeyCounts(): Promise<Record<string, number>>;
  /** Up to `limit` alert notes not encrypted with `currentKeyId`, by note id after `afterId`. */
  alertNotesNotUnder(currentKeyId: string, afterId: string, limit: number): Promise<EncryptedAlertNote[]>;
  /** Replaces one alert note's ciphertext if it is still under `expectedKeyId`; false if it changed or was erased meanwhile. */
  replaceAlertNote(noteId: string, expectedKeyId: string, cipher: string, keyId: string): Promise<boolean>;
}
