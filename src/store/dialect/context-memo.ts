// Check-in contexts a PostgreSQL connection read lately, with the row versions (`xmin`) of their
// four rows (check-in, enrollment, practice, client). The answer write on one of these check-ins
// may skip its own read: its guard checks that the versions are still the current ones and
// writes nothing otherwise (answers-pg.ts). Reads that fill it: the answer write's own read and
// the check-in page's link read, so a page submission costs no extra read. At most MEMO_SIZE
// per connection, the least recently used dropped first.

import { LRUCache } from "lru-cache";
import type { CheckInContext } from "../../ports/checkin-store.ts";
import type { SqlConnection } from "../database.ts";
import type { Row } from "../statements.ts";

export const MEMO_SIZE = 1024;

/** The versions, as the select list over CONTEXT_JOINS (`c`, `e`, `p`, `cl`). */
export const VERSION_COLUMNS = `c."xmin"::text AS "vc", e."xmin"::text AS "ve", p."xmin"::text AS "vp", cl."xmin"::text AS "vcl"`;

export type Versions = [string, string, string, string];

export interface VersionedContext {
  context: CheckInContext;
  versions: Versions;
}

export const versionsOf = (row: Row): Versions => [String(row.vc), String(row.ve), String(row.vp), String(row.vcl)];

export class ContextMemo {
  private readonly entries = new LRUCache<string, VersionedContext>({ max: MEMO_SIZE });

  get(checkInId: string): VersionedContext | undefined {
    return this.entries.get(checkInId);
  }

  remember(read: VersionedContext): void {
    this.entries.set(read.context.checkIn.id, read);
  }

  forget(checkInId: string): void {
    this.entries.delete(checkInId);
  }
}

const memos = new WeakMap<SqlConnection, ContextMemo>();

/** The memo of this connection. */
export function contextMemo(sql: SqlConnection): ContextMemo {
  let memo = memos.get(sql);
  if (!memo) memos.set(sql, (memo = new ContextMemo()));
  return memo;
}
