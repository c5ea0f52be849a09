// Two promises of the admin's and therapist's web view, checked against the chat: the web export
// is the same JSON and CSV that `/checkin export` sends, and every time on the pages is in the
// practice's time zone (here Pacific/Auckland, 13 hours ahead of UTC in March, so dates move).

import { afterEach, describe, expect, it } from "vitest";
import { createDashboardHarness } from "../support/dashboard-harness.ts";
import type { DashboardHarness } from "../support/dashboard-harness.ts";
import { tellStory } from "../support/dashboard-story.ts";
import { FilePlatform, answer } from "../privacy/support.ts";
import type { ConsentView, PromptView } from "../../src/ports/chat-platform.ts";

let h: DashboardHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function exportOnWeb(harness: DashboardHarness, cookie: string, client: string, format: "json" | "csv") {
  const { token, cookie: withCsrf } = await harness.csrf(cookie, "/dashboard/overview");
  const response = await harness.server.app.inject({
    method: "POST",
    url: "/dashboard/export",
    headers: { cookie: withCsrf, "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ _csrf: token, client, format }).toString(),
  });
  expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
  return { body: response.body, type: String(response.headers["content-type"]), filename: /filename="([^"]+)"/.exec(String(response.headers["content-disposition"]))?.[1] };
}

describe("web export", () => {
  it("the downloads are the files /checkin export sends: the CSV byte for byte, the JSON too but for the audit entries the exports add", async () => {
    const platform = new FilePlatform("terminal");
    const harness = (h = await createDashboardHarness({ platform }));
    await tellStory(harness.f, platform);
    const cookie = await harness.signIn("dana", { admin: true });

    // The web first: the chat export would otherwise see the web export's audit entry and the
    // other way round. CSV carries no audit, JSON does: see below.
    const webCsv = await exportOnWeb(harness, cookie, "alice", "csv");
    const chat = await harness.f.command("dana", "export alice", { admin: true });
    expect(chat.refused, chat.text).toBeFalsy();
    const [chatJson, chatCsv] = platform.filesTo("dana");
    expect(chatJson!.filename.endsWith(".json") && chatCsv!.filename.endsWith(".csv")).toBe(true);
    const webJson = await exportOnWeb(harness, cookie, "alice", "json");

    expect(webCsv.body).toBe(chatCsv!.content);
    expect(webCsv.filename).toBe(chatCsv!.filename);
    expect(webCsv.type).toBe("text/csv; charset=utf-8");
    expect(webCsv.body.split("\n").length).toBeGreaterThan(10);
    expect(webCsv.body).toContain("I felt rushed at the end today");

    expect(webJson.filename).toBe(chatJson!.filename);
    expect(webJson.type).toBe("application/json; charset=utf-8");
    // Everything equal except the audit trail, which has grown by exactly the entries the two
    // earlier exports wrote (web CSV, then chat), in that order.
    const web = JSON.parse(webJson.body) as { audit: { action: string; detail: Record<string, unknown> }[] };
    const fromChat = JSON.parse(chatJson!.content) as { audit: { action: string }[] };
    expect(web.audit.slice(0, fromChat.audit.length)).toEqual(fromChat.audit);
    expect(web.audit.slice(fromChat.audit.length).map((a) => a.action)).toEqual(["data.exported"]);
    expect(fromChat.audit.at(-1)).toMatchObject({ action: "data.exported", detail: { via: "web", formats: "csv" } });
    expect({ ...web, audit: [] }).toEqual({ ...fromChat, audit: [] });
    // And the serialisation is the same: the web JSON is the chat's with the one extra entry.
    const expected = JSON.stringify({ ...fromChat, audit: web.audit }, null, 2);
    expect(webJson.body.trim()).toBe(expected.trim());
  }, 120_000);
});

describe("times in the practice's time zone", () => {
  it("the caseload and the client page show dates and times in Pacific/Auckland, not UTC", async () => {
    const harness = (h = await createDashboardHarness());
    const { f, platform } = harness;
    for (const setting of ["quiet_hours off", "timezone Pacific/Auckland"]) expect((await f.command("dana", `settings ${setting}`, { admin: true })).refused).toBeFalsy();
    // Sessions Monday 13:00–13:50 UTC: Tuesday 02:50 in Auckland (NZDT, UTC+13).
    expect((await f.command("dana", "enroll alice bob mon 13:00 50m UTC", { admin: true })).refused).toBeFalsy();
    f.clock.set("2026-03-02T14:00:00Z");
    await f.engine.tick();
    await f.press("alice", (platform.lastTo("alice")!.view as ConsentView).accept.actionId);
    await answer(f, "alice", platform.lastTo("alice")!.view as PromptView, [4, 4, 5]);
    f.clock.set("2026-03-02T15:00:00Z");

    const cookie = await harness.signIn("bob");
    const caseload = await harness.server.app.inject({ url: "/dashboard", headers: { cookie } });
    expect(caseload.statusCode).toBe(200);
    expect(caseload.body).toContain("1 client. Times in Pacific/Auckland.");
    // Last check-in: the session ended 2 Mar 13:50 UTC = 3 Mar 02:50 in Auckland.
    expect(caseload.body).toContain("3 Mar 2026: total 13/15");
    expect(caseload.body).not.toContain("2 Mar 2026");
    // Next check-in: Monday 9 Mar 14:00 UTC = Tuesday 10 Mar 03:00 in Auckland.
    expect(caseload.body).toContain("Tue 10 Mar, 03:00");
    expect(caseload.body).not.toContain("Mon 9 Mar, 14:00");

    const enrollment = await f.store.currentEnrollmentForClient((await f.store.findPerson((await f.store.ensurePractice("terminal", "local")).id, "alice"))!.id);
    const client = await harness.server.app.inject({ url: `/dashboard/clients/${enrollment!.id}`, headers: { cookie } });
    expect(client.statusCode).toBe(200);
    expect(client.body).toContain("3 Mar 2026");
    expect(client.body).not.toContain("2 Mar 2026");
  }, 60_000);
});
