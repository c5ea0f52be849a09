// Reading a link with its check-in's context and the response in one row: the link (`lt`) and
// the response (`r`, absent until a first answer) next to the context's columns. Both databases
// return one JSON value per table, as the context read does (on SQLite two JSON texts instead of
// the link's and the response's 21 aliased columns: 19-20 instead of 22-26 us for the statement,
// 41-44 instead of 52-60 us with decoding, in a loop over one bench database).

import type { LinkedCheckIn } from "../../ports/checkin-store.ts";
import type { Provider } from "../database.ts";
import { toLinkToken, toResponse } from "../rows.ts";
import { CONTEXT_JOINS } from "../statements.ts";
import type { Row } from "../statements.ts";
import { contextDialects, jsonObject } from "./context.ts";
import { VERSION_COLUMNS, versionsOf } from "./context-memo.ts";
import type { Versions } from "./context-memo.ts";

export interface LinkedDialect {
  /** The statement: one row for the link whose token hash is its one parameter. */
  sql: string;
  /** The link, the context and the response from that row. */
  decode(row: Row): LinkedCheckIn;
  /** PostgreSQL: the context's row versions, for the answer write that may follow (context-memo.ts). */
  versions?(row: Row): Versions;
}

function linkedDialect(provider: Provider, columns: string, link: (row: Row) => Row, response: (row: Row) => Row | null): Omit<LinkedDialect, "versions"> {
  const context = contextDialects[provider];
  return {
    sql: `SELECT ${columns}, ${context.columns}
      FROM ${CONTEXT_JOINS} JOIN "LinkToken" lt ON lt."checkInId" = c."id" LEFT JOIN "Response" r ON r."checkInId" = c."id"
      WHERE lt."tokenHash" = ?`,
    decode(row) {
      const answered = response(row);
      return { link: toLinkToken(link(row)), context: context.decode(row), response: answered ? toResponse(answered) : null };
    },
  };
}

export const linkedDialects: Record<Provider, LinkedDialect> = {
  postgresql: {
    ...linkedDialect(
      "postgresql",
      `row_to_json(lt) AS "lt", row_to_json(r) AS "r", ${VERSION_COLUMNS}`,
      (row) => row.lt as Row,
      (row) => (row.r as Row | null) ?? null,
    ),
    versions: versionsOf,
  },
  sqlite: linkedDialect(
    "sqlite",
    `${jsonObject("LinkToken", "lt")} AS "lt", CASE WHEN r."id" IS NULL THEN NULL ELSE ${jsonObject("Response", "r")} END AS "r"`,
    (row) => JSON.parse(row.lt as string) as Row,
    (row) => (typeof row.r === "string" ? (JSON.parse(row.r) as Row) : null),
  ),
};
