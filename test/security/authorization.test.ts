// The authorization table: every subcommand and every interactive action against seven roles
// (one of them an admin the platform demoted: rights follow the platform, not the stored flag),
// each cell on its own copy of one seeded SQLite database. A deny must be private (a reply to
// the actor only: nothing sent to anyone), change nothing in the store, and reveal nothing: the
// reply names no one, and a denied command about an enrolled client reads exactly like one about
// a person who does not exist.

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { sqliteFilePath } from "../../src/store/database.ts";
import type { AlertView, ConsentView, PromptView } from "../../src/ports/chat-platform.ts";
import type { InboundEvent, Reply } from "../../src/ports/inbound.ts";
import { answer, FilePlatform, rowCounts } from "../privacy/support.ts";

const ROLES = {
  "client (self)": "alice",
  "client (other)": "carol",
  "therapist (own client)": "bob",
  "therapist (other's client)": "dan",
  admin: "admin",
  "admin (demoted)": "dana",
  stranger: "eve",
} as const;
type Role = keyof typeof ROLES;
const ALL = Object.keys(ROLES) as Role[];
const CELL_START = "2026-03-02T11:45:00Z";

interface Seed {
  file: string;
  prompt: PromptView;
  consentId: string;
  alertId: string;
}
let seed: Seed;
let seedDir: string;

beforeAll(async () => {
  const platform = new FilePlatform("terminal");
  const f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
  await f.command("admin", "settings quiet_hours off", { admin: true });
  // Dana ran audited admin commands while she was an admin; the platform no longer says she is one.
  expect((await f.command("dana", "settings tidy off", { admin: true })).refused).toBeFalsy();
  expect((await f.command("dana", "list", { admin: true })).refused).toBeFalsy();
  await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
  await f.command("admin", "enroll carol dan mon 09:00 50m UTC", { admin: true });
  f.clock.set("2026-03-02T10:00:00Z");
  await f.engine.tick();
  for (const client of ["alice", "carol"]) await f.press(client, (platform.lastTo(client)!.view as ConsentView).accept.actionId);
  await answer(f, "alice", platform.lastTo("alice")!.view as PromptView, [1, 2, 2]);
  await answer(f, "carol", platform.lastTo("carol")!.view as PromptView, [5, 5, 5]);
  const alert = platform.to("bob").map((m) => m.view).filter((v): v is AlertView => v.kind === "alert").at(-1)!;
  f.clock.set("2026-03-02T11:00:00Z");
  expect((await f.command("bob", "now alice")).refused).toBeFalsy();
  await f.engine.tick();
  const prompt = platform.lastTo("alice")!.view as PromptView;
  expect(prompt.kind).toBe("prompt");
  await f.close();
  seedDir = mkdtempSync(path.join(tmpdir(), "checkin-authz-"));
  seed = { file: path.join(seedDir, "seed.db"), prompt, consentId: `consent:${prompt.checkInId}:yes`, alertId: alert.alertId };
  copyFileSync(sqliteFilePath(f.databaseUrl), seed.file);
  await f.dispose();
});
afterAll(() => rmSync(seedDir, { recursive: true, force: true }));

async function cellFixture(): Promise<{ f: EngineFixture; platform: FilePlatform }> {
  const dir = mkdtempSync(path.join(tmpdir(), "checkin-cell-"));
  copyFileSync(seed.file, path.join(dir, "bot.db"));
  const platform = new FilePlatform("terminal");
  const f = await createEngineFixture({ platform, start: CELL_START, databaseUrl: `file:${path.join(dir, "bot.db")}` });
  const dispose = f.dispose;
  f.dispose = async () => {
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  };
  return { f, platform };
}

/** Alice's footprint: what another person's allowed self-command must never touch. */
async function aliceState(f: EngineFixture): Promise<unknown> {
  return f.db.sql.query(
    `SELECT e."status", e."pausedUntil", c."id", c."status" AS "checkInStatus", r."goal", r."completedAt", a."status" AS "alertStatus"
     FROM "Enrollment" e JOIN "Person" p ON p."id" = e."clientId" LEFT JOIN "CheckIn" c ON c."enrollmentId" = e."id"
     LEFT JOIN "Response" r ON r."checkInId" = c."id" LEFT JOIN "Alert" a ON a."enrollmentId" = e."id"
     WHERE p."platformUserId" = 'alice' ORDER BY c."id"`,
  );
}

interface Operation {
  name: string;
  /** Roles that are allowed. For self-service ones, each actor acts on their own data only. */
  allow: Role[];
  event(userId: string, target: string): InboundEvent;
  /** Commands naming a client: a deny must read the same for a person who does not exist. */
  targeted?: boolean;
}

const actor = (userId: string) => ({ platform: "terminal" as const, workspaceId: "local", userId, isPlatformAdmin: userId === "admin" });
const command = (name: string, text: (target: string) => string, allow: Role[], targeted = text("x") !== text("y")): Operation => ({
  name: `/checkin ${name}`,
  allow,
  targeted,
  event: (userId, target) => ({ type: "command", actor: actor(userId), text: text(target) }),
});
/** Platforms send a delivery id with every press; a refused press must not leave even its receipt. */
let deliveries = 0;
const deliveryId = () => `authz-${++deliveries}`;
const press = (name: string, actionId: () => string, allow: Role[]): Operation => ({
  name: `button ${name}`,
  allow,
  event: (userId) => ({ type: "action", actor: actor(userId), actionId: actionId(), deliveryId: deliveryId() }),
});

const ADMIN: Role[] = ["admin"];
const CLINICIANS: Role[] = ["therapist (own client)", "admin"];
const CLIENTS: Role[] = ["client (self)", "client (other)"];
const row = (item: number, value: number) => () => seed.prompt.rows[item]!.options[value - 1]!.actionId;

const OPERATIONS: Operation[] = [
  command("enroll", () => "enroll frank bob tue 10:00 50m UTC", ADMIN, false),
  command("schedule", (t) => `schedule ${t} tue 10:00 50m`, ADMIN),
  command("pause <client>", (t) => `pause ${t} 2026-04-01`, CLINICIANS),
  command("resume <client>", (t) => `resume ${t}`, CLINICIANS),
  command("end", (t) => `end ${t}`, ADMIN),
  command("skip", (t) => `skip ${t} 2026-03-09`, ADMIN),
  command("list", () => "list", ADMIN),
  command("settings", () => "settings tidy on", ADMIN),
  command("now", (t) => `now ${t}`, CLINICIANS),
  command("trend", (t) => `trend ${t}`, CLINICIANS),
  command("alerts", () => "alerts", ["therapist (own client)", "therapist (other's client)", "admin"]),
  command("export", (t) => `export ${t}`, ADMIN),
  command("erase", (t) => `erase ${t}`, ADMIN),
  command("audit", (t) => `audit ${t}`, ADMIN),
  command("pause (self)", () => "pause", CLIENTS),
  command("resume (self)", () => "resume", CLIENTS),
  command("stop", () => "stop", CLIENTS),
  command("mydata", () => "mydata", ALL),
  command("erase-me", () => "erase-me", ALL),
  command("privacy", () => "privacy", ALL),
  command("help", () => "help", ALL),
  command("dashboard", () => "dashboard", ["therapist (own client)", "therapist (other's client)", "admin"]),
  command("signout", () => "signout", ALL),
  press("score goal", row(0, 4), ["client (self)"]),
  press("score bond", row(2, 2), ["client (self)"]),
  press("tension", () => seed.prompt.tension!.options[1]!.actionId, ["client (self)"]),
  press("talked through", () => `ci:${seed.prompt.checkInId}:talked:partly`, ["client (self)"]),
  press("open comment", () => seed.prompt.commentButton!.actionId, ["client (self)"]),
  {
    name: "submit comment",
    allow: ["client (self)"],
    event: (userId) => ({ type: "comment", actor: actor(userId), checkInId: seed.prompt.checkInId, text: "a comment", deliveryId: deliveryId() }),
  },
  press("skip", () => seed.prompt.skipButton.actionId, ["client (self)"]),
  press("consent yes", () => seed.consentId, ["client (self)"]),
  press("consent no", () => seed.consentId.replace(/:yes$/, ":no"), ["client (self)"]),
  press("alert acknowledge", () => `al:${seed.alertId}:ack`, CLINICIANS),
  press("alert repaired", () => `al:${seed.alertId}:repaired`, CLINICIANS),
  press("alert snooze", () => `al:${seed.alertId}:snooze`, CLINICIANS),
  press("alert dismiss", () => `al:${seed.alertId}:dismiss`, CLINICIANS),
  press("home pause", () => "me:pause", CLIENTS),
  press("home resume", () => "me:resume", CLIENTS),
  press("home stop", () => "me:stop", CLIENTS),
];

const cells = OPERATIONS.flatMap((op) => ALL.map((role) => ({ op, role, allowed: op.allow.includes(role) })));

describe("authorization table", () => {
  it("covers every subcommand of the grammar and every kind of button", () => {
    const names = new Set(OPERATIONS.map((o) => o.name.replace(/^\/checkin (\S+).*$/, "$1")));
    for (const sub of ["enroll", "schedule", "pause", "resume", "end", "skip", "list", "settings", "now", "trend", "alerts", "export", "erase", "audit", "stop", "mydata", "erase-me", "privacy", "help", "dashboard", "signout"]) {
      expect(names.has(sub), sub).toBe(true);
    }
    expect(cells.length).toBe(OPERATIONS.length * ALL.length);
  });

  it.each(cells.map((c) => [c.op.name, c.role, c.allowed ? "allow" : "deny", c] as const))("%s · %s → %s", async (_n, _r, _e, cell) => {
    const { f, platform } = await cellFixture();
    try {
      const userId = ROLES[cell.role];
      const before = await rowCounts(f);
      const alice = await aliceState(f);
      const reply: Reply = await f.engine.receive(cell.op.event(userId, "alice"));
      if (cell.allowed) {
        expect(reply.refused, reply.text).toBeFalsy();
        if (cell.role !== "client (self)" && cell.op.allow.includes("client (other)")) {
          // Self-service used by someone else: it acted on their own data only.
          expect(await aliceState(f)).toEqual(alice);
        }
        if (cell.op.name === "/checkin mydata" || cell.op.name === "/checkin export") {
          for (const file of platform.files) expect(file.to.userId).toBe(userId);
        }
        return;
      }
      expect(reply.refused, reply.text).toBe(true);
      expect(reply.text).not.toMatch(/alice|carol|bob|\bdan\b|frank/);
      expect(reply.file).toBeUndefined();
      expect(platform.messages).toHaveLength(0);
      expect(platform.files).toHaveLength(0);
      expect(await rowCounts(f)).toEqual(before);
      expect(await aliceState(f)).toEqual(alice);
      if (cell.op.targeted) {
        const aboutNobody = await f.engine.receive(cell.op.event(userId, "nobody"));
        expect(aboutNobody).toEqual(reply);
      }
    } finally {
      await f.dispose();
    }
  });

  it("gives every denied role the same reply for the same button: the reply depends on the button, not on who is enrolled", async () => {
    const { f } = await cellFixture();
    try {
      for (const op of OPERATIONS.filter((o) => o.name.startsWith("button") || o.name === "submit comment")) {
        const denied = ALL.filter((role) => !op.allow.includes(role) && !op.name.startsWith("button home"));
        const replies = new Set<string>();
        for (const role of denied) replies.add((await f.engine.receive(op.event(ROLES[role], "alice"))).text);
        expect(replies.size, op.name).toBeLessThanOrEqual(1);
      }
    } finally {
      await f.dispose();
    }
  });
});
