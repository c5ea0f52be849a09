// Reading a check-in with its enrollment, practice and client in one row. PostgreSQL returns one
// JSON value per table (decoding 4 JSON fields is far cheaper for the driver than 64 columns);
// SQLite returns every column aliased by table.

import type { CheckInContext } from "../../ports/checkin-store.ts";
import type { Provider } from "../database.ts";
import { aliasedColumns, pickAliased, toCheckIn, toEnrollment, toPerson, toPractice } from "../rows.ts";
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

const sqlite: ContextDialect = {
  columns: `${aliasedColumns("CheckIn", "c")}, ${aliasedColumns("Enrollment", "e")}, ${aliasedColumns("Practice", "p")}, ${aliasedColumns("Person", "cl")}`,
  decode: (row) => ({
    checkIn: toCheckIn(pickAliased(row, "CheckIn", "c")),
    enrollment: toEnrollment(pickAliased(row, "Enrollment", "e")),
    practice: toPractice(pickAliased(row, "Practice", "p")),
    client: toPerson(pickAliased(row, "Person", "cl")),
  }),
};

export const contextDialects: Record<Provider, ContextDialect> = { postgresql, sqlite };
