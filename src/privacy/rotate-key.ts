// `npm run rotate-key`: re-encrypts every stored comment, every therapist's alert note and every
// calendar address under the current DATA_ENCRYPTION_KEY.
//
// Rotation without downtime:
//   1. `npm run rotate-key -- --generate` prints a new key.
//   2. Deploy with DATA_ENCRYPTION_KEY=<new key> and DATA_ENCRYPTION_PREVIOUS_KEYS=<old key>
//      (rolling restart). New comments now use the new key; old ones stay readable.
//   3. Run `npm run rotate-key` with the same environment. It works in batches, prints progress,
//      and can be stopped and run again at any time: it only touches rows still under old keys.
//   4. When it reports 0 remaining, remove the old key from DATA_ENCRYPTION_PREVIOUS_KEYS.

import { randomBytes } from "node:crypto";
import { config as loadDotenv } from "dotenv";
import { ConfigError, loadEnv } from "../config/env.ts";
import { AesGcmCommentCipher, KeyError, parseKey } from "../security/comment-cipher.ts";
import { openStore } from "../app.ts";
import { SqlPrivacyStore } from "../store/privacy-store.ts";
import { rotateAlertNoteKeys, rotateCalendarAddresses, rotateCommentKeys } from "./key-rotation.ts";
import { SqlCalendarStore } from "../store/calendar-store.ts";
import { cliErrorText } from "../runtime/cli-errors.ts";

interface Args {
  generate: boolean;
  dryRun: boolean;
  batchSize: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { generate: false, dryRun: false, batchSize: 500 };
  for (const arg of argv) {
    if (arg === "--generate") args.generate = true;
    else if (arg === "--dry-run") args.dryRun = true;
    else if (/^--batch-size=\d+$/.test(arg)) args.batchSize = Math.max(1, Math.min(10_000, Number(arg.split("=")[1])));
    else throw new ConfigError(`unknown argument ${arg} (expected --generate, --dry-run or --batch-size=N)`);
  }
  return args;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export async function rotateKeyCli(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.generate) {
    out(randomBytes(32).toString("hex"));
    process.stderr.write("New key above. Set it as DATA_ENCRYPTION_KEY, move the old key to DATA_ENCRYPTION_PREVIOUS_KEYS, restart, then run npm run rotate-key.\n");
    return 0;
  }
  loadDotenv({ quiet: true });
  const env = loadEnv();
  if (!env.DATA_ENCRYPTION_KEY) throw new KeyError("encryption_key_missing", "DATA_ENCRYPTION_KEY is not set: it must hold the new key (and DATA_ENCRYPTION_PREVIOUS_KEYS the old ones)");
  const cipher = new AesGcmCommentCipher(
    parseKey(env.DATA_ENCRYPTION_KEY),
    env.DATA_ENCRYPTION_PREVIOUS_KEYS.map((k) => parseKey(k, "DATA_ENCRYPTION_PREVIOUS_KEYS")),
  );
  const { db } = await openStore(env.DATABASE_URL);
  try {
    const privacy = new SqlPrivacyStore(db.sql);
    const counts = await privacy.commentKeyCounts();
    const byKey = (found: Record<string, number>) => Object.entries(found).map(([k, n]) => `${k}=${n}${k === cipher.currentKeyId ? " (current)" : ""}`).join(", ") || "none";
    out(`current key id: ${cipher.currentKeyId}`);
    out(`comments by key id: ${byKey(counts)}`);
    out(`alert notes by key id: ${byKey(await privacy.alertNoteKeyCounts())}`);
    if (args.dryRun) return 0;
    const result = await rotateCommentKeys(privacy, cipher, {
      batchSize: args.batchSize,
      onProgress: (p) => out(`batch ${p.batch}: ${p.reencrypted + p.skipped + p.failed}/${p.total} processed (${p.reencrypted} re-encrypted, ${p.skipped} changed meanwhile, ${p.failed} failed)`),
    });
    out(`done: ${result.reencrypted} re-encrypted, ${result.skipped} changed meanwhile, ${result.failed} failed, ${result.remaining} remaining under old keys`);
    const notes = await rotateAlertNoteKeys(privacy, cipher, { batchSize: args.batchSize });
    out(`alert notes: ${notes.reencrypted} re-encrypted, ${notes.skipped} changed meanwhile, ${notes.failed} failed, ${notes.remaining} remaining under old keys`);
    const calendars = await rotateCalendarAddresses(new SqlCalendarStore(db.sql), cipher);
    out(`calendar addresses: ${calendars.reencrypted} re-encrypted, ${calendars.skipped} changed meanwhile, ${calendars.failed} failed`);
    if (calendars.missingKeyIds.length > 0) {
      process.stderr.write(`could not decrypt calendar addresses under key ids ${calendars.missingKeyIds.join(", ")}: add those keys to DATA_ENCRYPTION_PREVIOUS_KEYS and run again\n`);
      return 2;
    }
    if (result.missingKeyIds.length > 0) {
      process.stderr.write(`could not decrypt comments under key ids ${result.missingKeyIds.join(", ")}: add those keys to DATA_ENCRYPTION_PREVIOUS_KEYS and run again\n`);
      return 2;
    }
    if (notes.missingKeyIds.length > 0) {
      process.stderr.write(`could not decrypt alert notes under key ids ${notes.missingKeyIds.join(", ")}: add those keys to DATA_ENCRYPTION_PREVIOUS_KEYS and run again\n`);
      return 2;
    }
    const remaining = result.remaining + notes.remaining;
    if (remaining > 0) out("some comments or alert notes are still under old keys (a process with the old key wrote them); run again after every process uses the new key");
    else out("all comments and alert notes use the current key; the old keys can now be removed from DATA_ENCRYPTION_PREVIOUS_KEYS");
    return remaining > 0 ? 3 : 0;
  } finally {
    await db.close();
  }
}

const isEntry = process.argv[1] && /rotate-key\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  rotateKeyCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(cliErrorText("rotate-key", error, "failed"));
      process.exit(1);
    },
  );
}
