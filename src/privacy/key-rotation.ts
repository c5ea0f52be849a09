// Re-encrypts every stored comment, every therapist's alert note and every calendar address under
// the cipher's current key. Resumable and safe next to a
// running bot: each row is rewritten only if it is still under the key it was read with, so a
// comment saved meanwhile (already under the new key) is never overwritten, and a second run
// simply finds fewer rows. Rows whose key is not configured are counted and left as they are.

import type { CommentCipher } from "../ports/comment-cipher.ts";
import type { Clock } from "../ports/clock.ts";
import type { PrivacyStore } from "../ports/privacy-store.ts";
import type { CalendarStore } from "../ports/calendar.ts";

export interface RotationProgress {
  batch: number;
  reencrypted: number;
  /** Rows changed by someone else between read and write (saved again, or erased). */
  skipped: number;
  failed: number;
  /** Comments under an old key when the run started. */
  total: number;
}

export interface RotationResult extends RotationProgress {
  /** Comments still under another key after the run (failed ones, or written by an old process). */
  remaining: number;
  /** Key ids found on rows but not in the keyring. */
  missingKeyIds: string[];
}

export interface RotationOptions {
  batchSize?: number;
  clock?: Clock;
  onProgress?: (progress: RotationProgress) => void;
}

/** How many rows are under a key other than `currentKeyId`. */
const countNotUnder = (counts: Record<string, number>, currentKeyId: string): number =>
  Object.entries(counts).filter(([keyId]) => keyId !== currentKeyId).reduce((sum, [, n]) => sum + n, 0);

/** The row's text under the current key, or null (its key id noted in `missing`) when its key is not configured. */
function reencrypt(cipher: CommentCipher, row: { cipher: string; keyId: string }, missing: Set<string>): { cipher: string; keyId: string } | null {
  let plaintext: string;
  try {
    plaintext = cipher.decrypt(row.cipher, row.keyId);
  } catch {
    missing.add(row.keyId || "(none)");
    return null;
  }
  return cipher.encrypt(plaintext);
}

export async function rotateCommentKeys(store: PrivacyStore, cipher: CommentCipher & { readonly currentKeyId: string }, options: RotationOptions = {}): Promise<RotationResult> {
  const batchSize = options.batchSize ?? 500;
  const now = () => options.clock?.now() ?? new Date();
  const before = await store.commentKeyCounts();
  const total = countNotUnder(before, cipher.currentKeyId);
  const progress: RotationProgress = { batch: 0, reencrypted: 0, skipped: 0, failed: 0, total };
  const missing = new Set<string>();
  let afterId = "";
  for (;;) {
    const batch = await store.commentsNotUnder(cipher.currentKeyId, afterId, batchSize);
    if (batch.length === 0) break;
    progress.batch++;
    for (const row of batch) {
      const fresh = reencrypt(cipher, row, missing);
      if (!fresh) {
        progress.failed++;
        continue;
      }
      if (await store.replaceComment(row.responseId, row.keyId, fresh.cipher, fresh.keyId, now())) progress.reencrypted++;
      else progress.skipped++;
    }
    afterId = batch[batch.length - 1]!.responseId;
    options.onProgress?.({ ...progress });
  }
  const after = await store.commentKeyCounts();
  const remaining = countNotUnder(after, cipher.currentKeyId);
  return { ...progress, remaining, missingKeyIds: [...missing].sort() };
}

export interface NoteRotationResult {
  reencrypted: number;
  /** Notes changed or erased between read and write. */
  skipped: number;
  failed: number;
  /** Notes still under another key after the run. */
  remaining: number;
  /** Key ids found on notes but not in the keyring. */
  missingKeyIds: string[];
}

/**
 * Re-encrypts every therapist's alert note (written with the dashboard's alert actions) under the
 * cipher's current key, in batches, like comments: a row is rewritten only if it is still under
 * the key it was read with; notes under a key the keyring lacks are counted and left as they are.
 */
export async function rotateAlertNoteKeys(
  store: Pick<PrivacyStore, "alertNotesNotUnder" | "replaceAlertNote" | "alertNoteKeyCounts">,
  cipher: CommentCipher & { readonly currentKeyId: string },
  options: { batchSize?: number } = {},
): Promise<NoteRotationResult> {
  const batchSize = options.batchSize ?? 500;
  const result = { reencrypted: 0, skipped: 0, failed: 0 };
  const missing = new Set<string>();
  let afterId = "";
  for (;;) {
    const batch = await store.alertNotesNotUnder(cipher.currentKeyId, afterId, batchSize);
    if (batch.length === 0) break;
    for (const row of batch) {
      const fresh = reencrypt(cipher, row, missing);
      if (!fresh) {
        result.failed++;
        continue;
      }
      if (await store.replaceAlertNote(row.noteId, row.keyId, fresh.cipher, fresh.keyId)) result.reencrypted++;
      else result.skipped++;
    }
    afterId = batch[batch.length - 1]!.noteId;
  }
  const after = await store.alertNoteKeyCounts();
  const remaining = countNotUnder(after, cipher.currentKeyId);
  return { ...result, remaining, missingKeyIds: [...missing].sort() };
}

/**
 * Re-encrypts every connected calendar's address under the cipher's current key, like comments:
 * a row is rewritten only if it is still under the key it was read with.
 */
export async function rotateCalendarAddresses(
  store: Pick<CalendarStore, "calendarsNotUnder" | "replaceCalendarUrl">,
  cipher: CommentCipher & { readonly currentKeyId: string },
  now: () => Date = () => new Date(),
): Promise<{ reencrypted: number; skipped: number; failed: number; missingKeyIds: string[] }> {
  const result = { reencrypted: 0, skipped: 0, failed: 0, missingKeyIds: [] as string[] };
  for (const row of await store.calendarsNotUnder(cipher.currentKeyId)) {
    let address: string;
    try {
      address = cipher.decrypt(row.urlCipher, row.urlKeyId);
    } catch {
      result.failed++;
      if (!result.missingKeyIds.includes(row.urlKeyId)) result.missingKeyIds.push(row.urlKeyId);
      continue;
    }
    const fresh = cipher.encrypt(address);
    if (await store.replaceCalendarUrl(row.id, row.urlKeyId, fresh.cipher, fresh.keyId, now())) result.reencrypted++;
    else result.skipped++;
  }
  return result;
}
