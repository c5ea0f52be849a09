// The sessions of a calendar reading as this process keeps them between polls (for 304 answers).

import type { CalendarSession } from "./feed.ts";

/**
 * Sessions kept between polls, packed: numbers in typed arrays and hashes as bytes take about a
 * sixth of the memory of session objects (two Dates and a hex string each), and every
 * calendar's reading stays in memory for as long as the process runs.
 */
export interface PackedSessions {
  count: number;
  startMs: Float64Array;
  endMs: Float64Array;
  cancelled: Uint8Array;
  /** Index into `codes`, per session. */
  codeIndex: Uint16Array;
  codes: string[];
  /** 32 bytes of SHA-256 per session. */
  hashes: Buffer;
}

export function packSessions(sessions: CalendarSession[]): PackedSessions {
  const count = sessions.length;
  const packed: PackedSessions = {
    count,
    startMs: new Float64Array(count),
    endMs: new Float64Array(count),
    cancelled: new Uint8Array(count),
    codeIndex: new Uint16Array(count),
    codes: [],
    hashes: Buffer.alloc(count * 32),
  };
  const codeIndex = new Map<string, number>();
  sessions.forEach((session, i) => {
    packed.startMs[i] = session.startAt.getTime();
    packed.endMs[i] = session.endAt.getTime();
    packed.cancelled[i] = session.cancelled ? 1 : 0;
    let index = codeIndex.get(session.code);
    if (index === undefined) {
      index = packed.codes.length;
      codeIndex.set(session.code, index);
      packed.codes.push(session.code);
    }
    packed.codeIndex[i] = index;
    packed.hashes.write(session.eventHash, i * 32, 32, "hex");
  });
  return packed;
}

export function unpackSessions(packed: PackedSessions): CalendarSession[] {
  const sessions: CalendarSession[] = new Array(packed.count);
  for (let i = 0; i < packed.count; i++) {
    sessions[i] = {
      eventHash: packed.hashes.toString("hex", i * 32, i * 32 + 32),
      code: packed.codes[packed.codeIndex[i]!]!,
      startAt: new Date(packed.startMs[i]!),
      endAt: new Date(packed.endMs[i]!),
      cancelled: packed.cancelled[i] === 1,
    };
  }
  return sessions;
}
