// Rights and admin notices follow the platform: a stored admin flag is only a cache, refreshed when
// the person acts, and every current admin (as the platform says now) gets admin notices.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { RecordingPlatform } from "../support/recording-platform.ts";
import { recordingEngine } from "../support/recording-engine.ts";
import type { NoticeView } from "../../src/ports/chat-platform.ts";
import { ADMIN_LIST_TTL_MS, currentAdmins } from "../../src/core/notify.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  ({ f, platform } = await recordingEngine({ adminCommand: "enroll alice bob mon 09:00 50m UTC" }));
});
afterEach(async () => f.dispose());

const notices = (userId: string) => platform.to(userId).filter((m) => m.view.kind === "notice").map((m) => (m.view as NoticeView).text);
const practice = () => f.store.ensurePractice("terminal", "local");

describe("rights from the platform at each action", () => {
  it("a demoted admin loses admin commands at once, and the stored flag follows", async () => {
    expect((await f.command("admin", "list", { admin: true })).refused).toBeFalsy();
    expect((await f.store.findPerson((await practice()).id, "admin"))?.isAdmin).toBe(true);
    const demoted = await f.command("admin", "list", { admin: false });
    expect(demoted.refused).toBe(true);
    expect((await f.command("admin", "audit alice")).refused).toBe(true);
    expect((await f.command("admin", "erase alice")).refused).toBe(true);
    expect((await f.store.findPerson((await practice()).id, "admin"))?.isAdmin).toBe(false);
  });
});

describe("admin notices go to every current admin", () => {
  it("reaches an admin who only ran `list` and one the platform lists, and skips a demoted one", async () => {
    expect((await f.command("dana", "list", { admin: true })).refused).toBeFalsy();
    platform.listedAdmins = ["olga"];
    platform.roles.set("olga", "admin");
    platform.roles.set("admin", "member"); // demoted on the platform, has not acted since
    platform.failNext = [{ ok: false, code: "cannot_dm", failure: "recipient_unreachable" }];
    f.clock.set("2026-03-02T10:00:00Z");
    await f.engine.tick();
    expect(notices("dana")).toHaveLength(1);
    expect(notices("olga")).toHaveLength(1);
    expect(notices("admin")).toEqual([]);
    expect(notices("dana")[0]).toContain("@alice");
    // The platform's word cleared the stale cache flag.
    expect((await f.store.findPerson((await practice()).id, "admin"))?.isAdmin).toBe(false);
  });

  it("reuses the resolved list until it expires, then asks the platform again", async () => {
    const ctx = f.engine.context;
    expect(await currentAdmins(ctx, await practice())).toEqual(["admin"]);
    platform.roles.set("admin", "member");
    platform.listedAdmins = ["olga"];
    platform.roles.set("olga", "admin");
    const lookups = platform.roleLookups.length;
    expect(await currentAdmins(ctx, await practice())).toEqual(["admin"]);
    expect(platform.roleLookups.length).toBe(lookups);
    f.clock.advance(ADMIN_LIST_TTL_MS + 1);
    expect(await currentAdmins(ctx, await practice())).toEqual(["olga"]);
  });

  it("keeps a stored admin for notices when the platform cannot be asked, but gives no rights", async () => {
    platform.roles.set("admin", "unknown");
    expect(await currentAdmins(f.engine.context, await practice())).toEqual(["admin"]);
  });
});
