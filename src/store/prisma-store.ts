// CheckInStore over Prisma and the raw driver connection: one module per aggregate, composed.
// Admin-rate operations use the Prisma client; the per-check-in and per-answer paths use the raw
// connection with SQL that runs unchanged on SQLite and PostgreSQL (all identifiers quoted),
// because they run thousands of times per second in a burst. Where the two databases need
// different SQL, the difference lives in dialect/, one module per statement family.

import type { AlertStore, AnswerStore, CheckInQueueStore, CheckInStore, InboundStore, LinkTokenStore, PeopleStore } from "../ports/checkin-store.ts";
import { SqlAlertStore } from "./alerts-store.ts";
import { SqlAnswerStore } from "./answers-store.ts";
import { SqlCheckInQueueStore } from "./checkins-store.ts";
import type { OpenDatabase } from "./database.ts";
import { SqlInboundStore } from "./inbound-store.ts";
import { SqlLinkTokenStore } from "./link-tokens-store.ts";
import { SqlPeopleStore } from "./people-store.ts";

/** The methods of an object's class, bound to it. */
function methodsOf(part: object): [string, (...args: unknown[]) => unknown][] {
  const prototype = Object.getPrototypeOf(part) as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype)
    .filter((name) => name !== "constructor" && typeof prototype[name] === "function")
    .map((name) => [name, (prototype[name] as (...args: unknown[]) => unknown).bind(part)]);
}

// The class carries CheckInStore's methods, copied from its parts in the constructor.
export interface PrismaCheckInStore extends CheckInStore {}

export class PrismaCheckInStore {
  constructor(db: Pick<OpenDatabase, "prisma" | "sql" | "reader">) {
    // One module per part of the port; CheckInStore is exactly the union of these parts.
    const parts: { people: PeopleStore; queue: CheckInQueueStore; answers: AnswerStore; alerts: AlertStore; inbound: InboundStore; links: LinkTokenStore } = {
      people: new SqlPeopleStore(db),
      queue: new SqlCheckInQueueStore(db.sql),
      answers: new SqlAnswerStore(db.sql),
      alerts: new SqlAlertStore(db.sql),
      inbound: new SqlInboundStore(db),
      links: new SqlLinkTokenStore(db),
    };
    const self = this as unknown as Record<string, unknown>;
    for (const part of Object.values(parts)) {
      for (const [name, method] of methodsOf(part)) {
        // Private helpers are methods too: a name used by two parts would be ambiguous.
        if (name in self) throw new Error(`store method ${name} is defined by two parts`);
        self[name] = method;
      }
    }
  }
}
