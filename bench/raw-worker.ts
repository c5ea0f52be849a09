// Baseline process for peak RSS: only the raw driver is loaded (no Prisma, no engine), and it
// does the same writes as the `large` scenario. Usage: raw-worker.ts <provider> <url> [json].

import type { Provider } from "../src/store/database.ts";
import { openRaw, rawAnswerLoop, rawSendLoop } from "./raw.ts";

const [provider, url, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? "{}") as { answers?: number };
const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

const raw = await openRaw(provider as Provider, url as string);
const ids = (await raw.query<{ id: string }>(`SELECT "id" FROM "CheckIn" WHERE "status" = 'scheduled'`)).map((r) => r.id);
const sendMs = await rawSendLoop(raw, ids);
const answerMs = await rawAnswerLoop(raw, ids.slice(0, options.answers ?? 2000));
await raw.close();
process.stdout.write(
  `${JSON.stringify({ updates: ids.length, sendSeconds: round(sendMs / 1000, 2), answerSeconds: round(answerMs / 1000, 2), peakRssMb: round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
