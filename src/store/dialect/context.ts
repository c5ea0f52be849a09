// Reading a check-in with its enrollment, practice and client in one row. Both databases return
// one JSON value per table: decoding 4 JSON fields is far cheaper for the driver than 70 columns
// (on SQLite 27 instead of 36 µs a read, decoding included; every button press reads one).

import { LRUCache } from "lru-cache";
import type { CheckInContext } from "../../ports/checkin-store.ts";
import type { Provider } from "../database.ts";
import { checkInOf, COLUMNS, enrollmentOf, parseRow, personOf, practiceOf, toCheckIn, toEnrollment, toPerson, toPractice } from "../rows.ts";
import type { Table, TableRow } from "../rows.ts";
import type { Row } from "../statements.ts";

export interface ContextDialect {
  /** The select list of the four tables (`c`, `e`, `p`, `cl` in CONTEXT_FROM). */
  columns: string;
  /** The context from a row selected with `columns`. */
  decode(row: Row): CheckInContext;
}

const postgresql: ContextDialect = {
  columns: `row_to_json(c) AS "c", row_to_json(e) AS "e", row_to_json(p) AS "p", row_to_json(cl) AS "cl"`,
  decode: (row) => ({ checkIn: toCheckIn(row.c as Row), enrollment: toEnrollment(row.e as Row), practice: toPractice(row.p as Row), client: toPerson(row.cl as Row) }),
};

/** One table's row as a JSON object (SQLite): times stay epoch milliseconds, booleans 0/1. */
export const jsonObject = (table: Table, alias: string): string => `json_object(${COLUMNS[table].map((column) => `'${column}', ${alias}."${column}"`).join(", ")})`;

/** Parsed rows kept per table, by their JSON text. */
export const PARSED_ROWS_KEPT = 256;

/**
 * One table's rows parsed from their JSON text (SQLite), the last PARSED_ROWS_KEPT texts kept.
 * The presses on one check-in come one after another and read the same practice, client,
 * enrollment and (until it is answered) check-in text as the press before, so each text is parsed
 * and checked once. The kept rows are only read: every call builds new domain objects from them.
 */
export class ParsedRows<T extends Table> {
  private readonly rows = new LRUCache<string, TableRow<T>>({ max: PARSED_ROWS_KEPT });
  constructor(private readonly table: T) {}

  get(json: string): TableRow<T> {
    const kept = this.rows.get(json);
    if (kept) return kept;
    const row = parseRow(this.table, JSON.parse(json));
    this.rows.set(json, row);
    return row;
  }
}

const parsed = { checkIn: new ParsedRows("CheckIn"), enrollment: new ParsedRows("Enrollment"), practice: new ParsedRows("Practice"), client: new ParsedRows("Person") };

const sqlite: ContextDialect = {
  columns: `${jsonObject("CheckIn", "c")} AS "c", ${jsonObject("Enrollment", "e")} AS "e", ${jsonObject("Practice", "p")} AS "p", ${jsonObject("Person", "cl")} AS "cl"`,
  decode: (row) => ({
    checkIn: checkInOf(parsed.checkIn.get(row.c as string)),
    enrollment: enrollmentOf(parsed.enrollment.get(row.e as string)),
    practice: practiceOf(parsed.practice.get(row.p as string)),
    client: personOf(parsed.client.get(row.cl as string)),
  }),
};

export const contextDialects: Record<Provider, ContextDialect> = { postgresql, sqlite };
