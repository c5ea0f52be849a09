// answerIfOpen on both databases: the engine's decision, called on the context the store read,
// is what decides whether a press is stored; the store adds no rule of its own. On PostgreSQL the
// read and the write are two statements, so a change that lands between them (a stop, a consent
// withdrawal, a close, another press) must make the press be decided again on the new rows.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openForActor } from "../../src/core/answer-rule.ts";
import { openStore } from "../../src/app.ts";
import type { CheckIn } from "../../src/core/model.ts";
import type { AnswerActor, CheckInContext } from "../../src/ports/checkin-store.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import { MAX_ATTEMPTS } from "../../src/store/dialect/answers-pg.ts";
import type { PrismaCheckInStore } from "../../src/store/prisma-store.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { insertCheckIns, seedEnrollment } from "../support/store-seed.ts";

const T0 = new Date("2026-03-02T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const owner: AnswerActor = { platform: "terminal", workspaceId: "local", userId: "alice" };
const openFor = (actor: AnswerActor, now: Date) => (context: CheckInContext) => openForActor(context, actor, now);

interface Fixture {
  db: OpenDatabase;
  store: PrismaCheckInStore;
  /** A sent, open check-in of a client who has consented. */
  row: CheckIn;
  clientId: string;
}

async function sentCheckIn(connect: () => Promise<{ db: OpenDatabase; store: PrismaCheckInStore }>): Promise<Fixture> {
  const { db, store } = await connect();
  const enrollment = await seedEnrollment(store);
  const [inserted] = await insertCheckIns(store, enrollment.id, 1, at(-30));
  await store.claimDueCheckIns(at(0), "owner", 60_000, 1);
  expect(await store.completeClaim(inserted!.id, 1, { status: "sent", ref: { channelId: "D1", messageId: "m1" }, sentAt: at(0), remindAt: at(0) }, at(0))).toBe(true);
  await store.updatePerson(enrollment.clientId, { consentAt: at(-100), consentVersion: "1" });
  return { db, store, row: (await store.getCheckIn(inserted!.id))!, clientId: enrollment.clientId };
}

async function receipts(db: OpenDatabase, key: string): Promise<number> {
  return Number((await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "InboundEvent" WHERE "eventKey" = ?`, [key]))[0]?.n);
}

function decisionTests(connect: () => Promise<{ db: OpenDatabase; store: PrismaCheckInStore }>) {
  let f: Fixture;
  beforeEach(async () => {
    f = await sentCheckIn(connect);
  });
  afterEach(async () => {
    await f.db.close();
  });

  it("a decision that says no stores nothing; the same press decided yes is stored", async () => {
    const seen: CheckInContext[] = [];
    const no = await f.store.answerIfOpen(f.row.id, (c) => (seen.push(c), false), { goal: 4 }, at(1), { platform: "terminal", key: "d-no" });
    expect(no).toMatchObject({ allowed: false, saved: null, evaluation: null });
    expect(seen.map((c) => [c.checkIn.id, c.client.id])).toEqual([[f.row.id, f.clientId]]);
    expect(no.context).toBe(seen[0]);
    expect(await f.store.getResponse(f.row.id)).toBeNull();
    expect(await receipts(f.db, "d-no")).toBe(0);

    const yes = await f.store.answerIfOpen(f.row.id, (c) => (seen.push(c), true), { goal: 4 }, at(1), { platform: "terminal", key: "d-yes" });
    expect(yes).toMatchObject({ allowed: true, saved: { answeredNow: false, response: { goal: 4 } } });
    expect(seen).toHaveLength(2);
    expect((await f.store.getResponse(f.row.id))?.goal).toBe(4);
    expect(await receipts(f.db, "d-yes")).toBe(1);
  });

  it("the store adds no rule of its own: a yes is stored even where the engine's rule would refuse", async () => {
    await f.store.updatePerson(f.clientId, { consentAt: null });
    const stranger = { ...owner, userId: "mallory" };
    expect(openForActor((await f.store.checkInContext(f.row.id))!, stranger, at(1))).toBe(false);
    const open = await f.store.answerIfOpen(f.row.id, () => true, { goal: 2, task: 2, bond: 2 }, at(1), { platform: "terminal", key: "d-any" });
    expect(open).toMatchObject({ allowed: true, saved: { answeredNow: true } });
    expect((await f.store.getCheckIn(f.row.id))?.status).toBe("answered");
  });

  it("each press is decided on the rows as they are: a stop between two presses refuses the second", async () => {
    const first = await f.store.answerIfOpen(f.row.id, openFor(owner, at(1)), { goal: 3 }, at(1), { platform: "terminal", key: "d-1" });
    expect(first.allowed).toBe(true);
    await f.store.updatePerson(f.clientId, { stoppedAt: at(2) });
    const decided: CheckInContext[] = [];
    const second = await f.store.answerIfOpen(f.row.id, (c) => (decided.push(c), openForActor(c, owner, at(3))), { task: 3 }, at(3), { platform: "terminal", key: "d-2" });
    expect(second).toMatchObject({ allowed: false, saved: null });
    // Whatever was decided on first, the last decision saw the stop.
    expect(decided.at(-1)?.client.stoppedAt?.toISOString()).toBe(at(2).toISOString());
    expect((await f.store.getResponse(f.row.id))?.task).toBeNull();
    expect(await receipts(f.db, "d-2")).toBe(0);
  });

  it("two presses that complete the response at once: one is stored and answers the check-in", async () => {
    await f.store.saveAnswer(f.row.id, { goal: 3, task: 3 }, at(1));
    const press = (bond: number, key: string) => f.store.answerIfOpen(f.row.id, openFor(owner, at(2)), { bond }, at(2), { platform: "terminal", key });
    const results = await Promise.all([press(1, "d-a"), press(5, "d-b")]);
    expect(results.filter((r) => r.saved?.answeredNow)).toHaveLength(1);
    // The other was decided on the answered check-in: not open any more, nothing written.
    expect(results.filter((r) => !r.allowed && r.saved === null && r.context?.checkIn.status === "answered")).toHaveLength(1);
    const winner = results.findIndex((r) => r.saved?.answeredNow);
    expect((await f.store.getResponse(f.row.id))?.bond).toBe(winner === 0 ? 1 : 5);
    expect((await receipts(f.db, "d-a")) + (await receipts(f.db, "d-b"))).toBe(1);
  });
}

describe("answerIfOpen decides with the engine's decision on SQLite", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-decision-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  decisionTests(() => openStore(`file:${path.join(dir, "bot.db")}`));
});

await describePostgres(
  "answerIfOpen decides with the engine's decision on PostgreSQL",
  (database) => {
    decisionTests(() => openStore(database().url));

    describe("a change that lands between the read and the write", () => {
      let f: Fixture;
      beforeEach(async () => {
        f = await sentCheckIn(() => openStore(database().url));
      });
      afterEach(async () => {
        await f.db.close();
      });
      /**
       * Commits `statement` on another connection before returning. Called from inside the
       * decision, which runs after the store's read and before its write.
       */
      const commitElsewhere = (statement: string) => execFileSync("psql", [database().url, "-v", "ON_ERROR_STOP=1", "-qc", statement], { stdio: ["ignore", "ignore", "inherit"] });

      const changes: [string, (f: Fixture) => string][] = [
        ["the client stops", (f) => `UPDATE "Person" SET "stoppedAt" = now() WHERE "id" = '${f.clientId}'`],
        ["the client withdraws consent", (f) => `UPDATE "Person" SET "consentAt" = NULL WHERE "id" = '${f.clientId}'`],
        ["the check-in closes", (f) => `UPDATE "CheckIn" SET "status" = 'expired' WHERE "id" = '${f.row.id}'`],
        ["another press answers it", (f) => `UPDATE "CheckIn" SET "status" = 'answered', "answeredAt" = now() WHERE "id" = '${f.row.id}'`],
        ["the enrollment moves to another client", (f) => `UPDATE "Enrollment" SET "clientId" = (SELECT "therapistId" FROM "Enrollment" WHERE "id" = '${f.row.enrollmentId}') WHERE "id" = '${f.row.enrollmentId}'`],
      ];
      for (const [name, change] of changes) {
        for (const remembered of [false, true]) {
          it(`${name}${remembered ? " (after an earlier press on the same prompt)" : ""}: decided again on the new rows and refused`, async () => {
            if (remembered) expect((await f.store.answerIfOpen(f.row.id, openFor(owner, at(1)), { goal: 3 }, at(1))).allowed).toBe(true);
            const decided: CheckInContext[] = [];
            const open = await f.store.answerIfOpen(
              f.row.id,
              (c) => {
                decided.push(c);
                if (decided.length === 1) commitElsewhere(change(f));
                return openForActor(c, owner, at(2));
              },
              { task: 4 },
              at(2),
              { platform: "terminal", key: "r-1" },
            );
            expect(decided).toHaveLength(2);
            expect(openForActor(decided[0]!, owner, at(2))).toBe(true);
            expect(open).toMatchObject({ allowed: false, saved: null, evaluation: null });
            expect(open.context).toBe(decided[1]);
            expect((await f.store.getResponse(f.row.id))?.task ?? null).toBeNull();
            expect(await receipts(f.db, "r-1")).toBe(0);
          });
        }
      }

      it(`rows that keep changing: ${MAX_ATTEMPTS} decisions, nothing written, then answer_contended`, async () => {
        let decisions = 0;
        const touch = `UPDATE "Practice" SET "updatedAt" = now() WHERE "id" = (SELECT "practiceId" FROM "Enrollment" WHERE "id" = '${f.row.enrollmentId}')`;
        const press = f.store.answerIfOpen(f.row.id, () => (decisions++, commitElsewhere(touch), true), { goal: 4 }, at(1), { platform: "terminal", key: "r-busy" });
        await expect(press).rejects.toMatchObject({ code: "answer_contended" });
        expect(decisions).toBe(MAX_ATTEMPTS);
        expect(await f.store.getResponse(f.row.id)).toBeNull();
        expect(await receipts(f.db, "r-busy")).toBe(0);
      });
    });
  },
  { fresh: "test" },
);
