import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeAction } from "../../../src/ports/action-ids.ts";
import type { PromptView } from "../../../src/ports/chat-platform.ts";
import type { Actor, HomePort, HomeView, InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { createSlackAdapter, MissingSlackConfigError } from "../../../adapters/slack/index.ts";
import { appHomeOpened, blockAction, commentSubmission, slashCommand } from "../../support/fake-slack-requests.ts";
import type { Signing } from "../../support/fake-slack-requests.ts";
import { buttonActionIds, visibleText } from "../../support/fake-slack.ts";
import { bootSlackRig, TEST_SIGNING_SECRET } from "./harness.ts";
import type { SlackRig } from "./harness.ts";
import { silentLogger } from "../../../src/ports/logger.ts";
import { resolveSlackSettings } from "../../../adapters/slack/config.ts";
import { ADMIN_CACHE_MS } from "../../../adapters/slack/actors.ts";

/** Records every inbound event and answers with canned replies. */
class RecordingInbound implements InboundPort, HomePort {
  readonly events: InboundEvent[] = [];
  readonly homeActors: Actor[] = [];
  answer: (event: InboundEvent) => Reply = () => ({ text: "done" });
  home: HomeView = { sections: [{ title: "Next check-in", lines: ["Tuesday 17:50"], buttons: [{ actionId: encodeAction({ op: "self", change: "pause" }), label: "Pause" }] }] };

  async receive(event: InboundEvent): Promise<Reply> {
    this.events.push(event);
    return this.answer(event);
  }

  async homeFor(actor: Actor): Promise<HomeView> {
    this.homeActors.push(actor);
    return this.home;
  }
}

const CLIENT = "UCLIENT1";
const CHECK_IN = "ci_123";

function promptView(checkInId = CHECK_IN): PromptView {
  const items = ["goal", "task", "bond"] as const;
  return {
    kind: "prompt",
    checkInId,
    intro: "How was today's session? <tap> & answer",
    rows: items.map((item) => ({
      item,
      question: `Question for ${item}`,
      options: [1, 2, 3, 4, 5].map((value) => ({ value, label: String(value), actionId: encodeAction({ op: "score", checkInId, item, value }) })),
      hint: "1 = not at all … 5 = completely",
    })),
    tension: {
      question: "Was there tension?",
      options: (["no", "a_little", "yes"] as const).map((value) => ({ value, label: value, actionId: encodeAction({ op: "tension", checkInId, value }) })),
    },
    talkedThrough: {
      question: "Was it talked through?",
      options: (["yes", "partly", "no"] as const).map((value) => ({ value, label: value, actionId: encodeAction({ op: "talked", checkInId, value }) })),
    },
    commentButton: { actionId: encodeAction({ op: "comment", checkInId }), label: "Add a comment" },
    commentModal: { title: "Your comment", label: "Anything to add?", submit: "Send", placeholder: "Optional", maxLength: 1000 },
    skipButton: { actionId: encodeAction({ op: "skip", checkInId }), label: "Skip this time" },
    footer: "Only your therapist sees this.",
  };
}

describe("Slack adapter against the real Bolt app and a fake Web API", () => {
  let inbound: RecordingInbound;
  let rig: SlackRig;

  beforeEach(async () => {
    inbound = new RecordingInbound();
    rig = await bootSlackRig(inbound, { adminUserIds: ["UCONFIGADMIN"] });
    await rig.adapter.start();
  });

  afterEach(async () => {
    await rig.close();
  });

  function command(userId: string, text: string, triggerId = rig.sender().nextId("TR")) {
    return slashCommand({ teamId: rig.fake.teamId, userId, text, triggerId, responseUrl: rig.fake.responseUrl() });
  }

  describe("request verification", () => {
    it.each<Signing>(["forged", "stale", "future", "missing_signature", "missing_timestamp"])("refuses a %s request with 401 and delivers nothing", async (signing) => {
      const result = await rig.sender().send(command("UADMIN", "list"), { signing });
      await rig.adapter.idle();
      expect(result.status).toBe(401);
      expect(inbound.events).toHaveLength(0);
      expect(rig.fake.calls.filter((c) => c.method !== "auth.test")).toHaveLength(0);
    });

    it("accepts a correctly signed request", async () => {
      const result = await rig.sender().send(command("UADMIN", "list"));
      await rig.adapter.idle();
      expect(result.status).toBe(200);
      expect(inbound.events).toHaveLength(1);
    });

    it("answers Slack's URL verification challenge only when signed", async () => {
      const delivery = { body: JSON.stringify({ type: "url_verification", token: "t", challenge: "abc123" }), contentType: "application/json" as const };
      const signed = await rig.sender().send(delivery);
      expect(signed.status).toBe(200);
      expect(signed.json()).toEqual({ challenge: "abc123" });
      expect((await rig.sender().send(delivery, { signing: "forged" })).status).toBe(401);
    });

    it("answers an unsigned ssl_check without letting a smuggled payload through", async () => {
      const smuggled = new URLSearchParams({ ssl_check: "1", ...Object.fromEntries(new URLSearchParams(command("UADMIN", "erase <@U1>").body)) }).toString();
      const response = await fetch(`http://127.0.0.1:${rig.adapter.receiverPort()}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: smuggled });
      await rig.adapter.idle();
      expect(response.status).toBe(200);
      expect(inbound.events).toHaveLength(0);
    });

    it("refuses a request signed for the right time but with a tampered body", async () => {
      const delivery = command("UADMIN", "list");
      const nowSeconds = Math.floor(rig.clock.now() / 1000);
      const { signSlackBody } = await import("../../support/fake-slack-requests.ts");
      const response = await fetch(`http://127.0.0.1:${rig.adapter.receiverPort()}/slack/events`, {
        method: "POST",
        headers: { "content-type": delivery.contentType, "x-slack-request-timestamp": String(nowSeconds), "x-slack-signature": signSlackBody(TEST_SIGNING_SECRET, nowSeconds, delivery.body) },
        body: delivery.body.replace("list", "erase"),
      });
      expect(response.status).toBe(401);
      expect(inbound.events).toHaveLength(0);
    });
  });

  describe("slash command", () => {
    it("acknowledges with an empty body, then replies ephemerally with the engine's text", async () => {
      inbound.answer = () => ({ text: "Enrolled <@UCLIENT1> & scheduled" });
      const responseUrl = rig.fake.responseUrl();
      const result = await rig.sender().send(slashCommand({ teamId: rig.fake.teamId, userId: "UADMIN", text: "enroll <@UCLIENT1> <@UTHER> tue 17:00 50m", triggerId: "TR1", responseUrl }));
      expect(result.status).toBe(200);
      expect(result.text).toBe("");
      await rig.adapter.idle();
      const [event] = inbound.events;
      expect(event).toMatchObject({
        type: "command",
        text: "enroll <@UCLIENT1> <@UTHER> tue 17:00 50m",
        deliveryId: "slack:command:TR1",
        actor: { platform: "slack", workspaceId: rig.fake.teamId, userId: "UADMIN", isPlatformAdmin: false },
      });
      const [response] = rig.fake.responsesAt(responseUrl);
      expect(response).toMatchObject({ response_type: "ephemeral", text: "Enrolled <@UCLIENT1> &amp; scheduled" });
    });

    it("drops display names from escaped mentions before the engine sees the command", async () => {
      await rig.sender().send(command("UADMIN", "enroll <@UCLIENT1|jane> <@UTHER|dr.who> tue 17:00 50m"));
      await rig.adapter.idle();
      expect(inbound.events[0]).toMatchObject({ text: "enroll <@UCLIENT1> <@UTHER> tue 17:00 50m" });
    });

    it("delivers an export reply as a file in the actor's DM", async () => {
      inbound.answer = () => ({ text: "Export ready.", file: { filename: "client-export.json", contentType: "application/json", content: "{}" } });
      await rig.sender().send(command("UCONFIGADMIN", "export <@UCLIENT1>"));
      await rig.adapter.idle();
      expect(rig.fake.uploads).toHaveLength(1);
      expect(rig.fake.messagesTo("UCONFIGADMIN")).toEqual([expect.objectContaining({ text: "client-export.json", fileId: rig.fake.uploads[0]?.fileId })]);
    });

    it("sends refused replies ephemerally too", async () => {
      inbound.answer = () => ({ text: "Only admins can enroll.", refused: true });
      const responseUrl = rig.fake.responseUrl();
      await rig.sender().send(slashCommand({ teamId: rig.fake.teamId, userId: "UNOBODY", text: "enroll x", triggerId: "TR2", responseUrl }));
      await rig.adapter.idle();
      expect(rig.fake.responsesAt(responseUrl)).toEqual([expect.objectContaining({ response_type: "ephemeral", text: "Only admins can enroll." })]);
    });

    it("marks workspace admins, owners and configured admins as platform admins", async () => {
      rig.fake.setUser("UWSADMIN", { isAdmin: true });
      rig.fake.setUser("UOWNER", { isOwner: true });
      for (const user of ["UWSADMIN", "UOWNER", "UCONFIGADMIN", "UPLAIN"]) await rig.sender().send(command(user, "list"));
      await rig.adapter.idle();
      expect(inbound.events.map((e) => [e.actor.userId, e.actor.isPlatformAdmin])).toEqual([
        ["UWSADMIN", true],
        ["UOWNER", true],
        ["UCONFIGADMIN", true],
        ["UPLAIN", false],
      ]);
      // Configured admins need no lookup; the others are looked up once each.
      expect(rig.fake.callsTo("users.info").map((a) => a.user)).toEqual(["UWSADMIN", "UOWNER", "UPLAIN"]);
    });
  });

  describe("roles from Slack at request time", () => {
    it("resolves a person's current role and sees a demotion once the cache expires", async () => {
      rig.fake.setUser("UWSADMIN", { isAdmin: true });
      rig.fake.setUser("UGONE", { exists: false });
      rig.fake.setUser("UDEACT", { deleted: true });
      const role = (userId: string) => rig.adapter.currentRole({ workspaceId: rig.fake.teamId, userId });
      expect([await role("UWSADMIN"), await role("UCONFIGADMIN"), await role("UPLAIN"), await role("UGONE"), await role("UDEACT")]).toEqual(["admin", "admin", "member", "absent", "absent"]);
      rig.fake.setUser("UWSADMIN", { isAdmin: false });
      rig.clock.advance(ADMIN_CACHE_MS + 1);
      expect(await role("UWSADMIN")).toBe("member");
      // The same lookup decides the actor's rights on the next command.
      await rig.sender().send(command("UWSADMIN", "list"));
      await rig.adapter.idle();
      expect(inbound.events.at(-1)?.actor.isPlatformAdmin).toBe(false);
    });

    it("answers unknown, never admin, when Slack cannot be asked, and does not cache it", async () => {
      rig.fake.setUser("UWSADMIN", { isAdmin: true });
      rig.fake.fail("users.info", { error: "internal_error" });
      expect(await rig.adapter.currentRole({ workspaceId: rig.fake.teamId, userId: "UWSADMIN" })).toBe("unknown");
      expect(await rig.adapter.currentRole({ workspaceId: rig.fake.teamId, userId: "UWSADMIN" })).toBe("admin");
    });

    it("lists every admin and owner across pages, plus the configured admins", async () => {
      rig.fake.setUser("UA1", { isAdmin: true });
      rig.fake.setUser("UP1", {});
      rig.fake.setUser("UO1", { isOwner: true });
      rig.fake.setUser("UB1", { isAdmin: true, isBot: true });
      rig.fake.setUser("UP2", {});
      rig.fake.setUser("UPO", { isPrimaryOwner: true });
      expect((await rig.adapter.listAdmins?.(rig.fake.teamId))?.sort()).toEqual(["UA1", "UCONFIGADMIN", "UO1", "UPO"]);
      expect(rig.fake.callsTo("users.list").length).toBeGreaterThan(1);
    });
  });

  describe("duplicate deliveries", () => {
    it("passes the same deliveryId for four deliveries of one command", async () => {
      const delivery = command("UADMIN", "now <@UCLIENT1>", "TRDUP");
      for (let retry = 0; retry < 4; retry += 1) {
        const result = await rig.sender().send(delivery, retry > 0 ? { retryNum: retry } : {});
        expect(result.status).toBe(200);
      }
      await rig.adapter.idle();
      expect(inbound.events.map((e) => e.deliveryId)).toEqual(Array(4).fill("slack:command:TRDUP"));
    });

    it("passes the same deliveryId for four deliveries of one button press", async () => {
      const sent = await rig.adapter.sendDirect({ workspaceId: rig.fake.teamId, userId: CLIENT }, promptView());
      if (!sent.ok) throw new Error(sent.code);
      const actionId = encodeAction({ op: "score", checkInId: CHECK_IN, item: "goal", value: 4 });
      const delivery = blockAction({
        teamId: rig.fake.teamId,
        userId: CLIENT,
        actionId,
        triggerId: "TRPRESS",
        container: { type: "message", channelId: sent.ref.channelId, messageTs: sent.ref.messageId },
        responseUrl: rig.fake.responseUrl(),
      });
      await Promise.all([0, 1, 2, 3].map((retry) => rig.sender().send(delivery, { retryNum: retry })));
      await rig.adapter.idle();
      expect(inbound.events).toHaveLength(4);
      for (const event of inbound.events) {
        expect(event).toMatchObject({ type: "action", actionId, deliveryId: "slack:action:TRPRESS", messageRef: sent.ref });
      }
    });
  });

  describe("outbound", () => {
    it("returns rate_limited with retryAfterMs at once on a 429", async () => {
      rig.fake.fail("chat.postMessage", { status: 429, retryAfterSeconds: 30 });
      const started = Date.now();
      const result = await rig.adapter.sendDirect({ workspaceId: rig.fake.teamId, userId: CLIENT }, promptView());
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result).toEqual({ ok: false, code: "rate_limited", failure: "rate_limited", retryAfterMs: 30_000 });
      expect(rig.fake.callsTo("chat.postMessage")).toHaveLength(1);
    });

    it("maps a user who is gone to a permanent failure", async () => {
      rig.fake.setUser("UGONE", { exists: false });
      const result = await rig.adapter.sendDirect({ workspaceId: rig.fake.teamId, userId: "UGONE" }, { kind: "notice", text: "hello" });
      expect(result).toEqual({ ok: false, code: "user_not_found", failure: "recipient_unreachable" });
      expect(await rig.adapter.checkReachable?.({ workspaceId: rig.fake.teamId, userId: "UGONE" })).toEqual({ ok: false, code: "user_not_found" });
    });

    it.each(["user_disabled", "cannot_dm_bot", "user_not_found"])("maps %s from conversations.open to recipient_unreachable", async (error) => {
      rig.fake.fail("conversations.open", { error });
      const result = await rig.adapter.sendDirect({ workspaceId: rig.fake.teamId, userId: "ULEFT" }, { kind: "notice", text: "hello" });
      expect(result).toEqual({ ok: false, code: error, failure: "recipient_unreachable" });
    });

    // The bot's own token, scopes or app settings: never the person's fault, so never marks them.
    it.each([
      ["account_inactive", "bot_misconfigured"],
      ["invalid_auth", "bot_misconfigured"],
      ["missing_scope", "bot_misconfigured"],
      ["messages_tab_disabled", "bot_misconfigured"],
      ["invalid_blocks", "payload_rejected"],
      ["internal_error", "transient"],
    ])("maps %s from chat.postMessage to %s", async (error, failure) => {
      rig.fake.fail("chat.postMessage", { error });
      const result = await rig.adapter.sendDirect({ workspaceId: rig.fake.teamId, userId: CLIENT }, { kind: "notice", text: "hello" });
      expect(result).toEqual({ ok: false, code: error, failure });
    });

    it("returns a retryable failure when Slack is down instead of throwing", async () => {
      rig.fake.fail("chat.postMessage", { status: 503 });
      const result = await rig.adapter.sendDirect({ workspaceId: rig.fake.teamId, userId: CLIENT }, { kind: "notice", text: "hello" });
      expect(result).toEqual({ ok: false, code: "http_503", failure: "transient" });
    });

    it("posts, updates and deletes a DM, keeping scores out of the closed view", async () => {
      const to = { workspaceId: rig.fake.teamId, userId: CLIENT };
      const sent = await rig.adapter.sendDirect(to, promptView());
      if (!sent.ok) throw new Error(sent.code);
      expect(sent.ref.channelId).toBe(rig.fake.dmChannelOf(CLIENT));
      const updated = await rig.adapter.update(to, sent.ref, { kind: "closed", text: "Thank you" });
      expect(updated.ok).toBe(true);
      const [message] = rig.fake.messagesTo(CLIENT);
      expect(visibleText(message!)).toBe("Thank you");
      expect(buttonActionIds(message!.blocks)).toEqual([]);
      expect(await rig.adapter.delete?.(to, sent.ref)).toMatchObject({ ok: true });
      expect(rig.fake.messagesTo(CLIENT)[0]?.deleted).toBe(true);
      expect(await rig.adapter.update(to, sent.ref, { kind: "closed", text: "x" })).toMatchObject({ ok: false, code: "message_not_found", failure: "payload_rejected" });
    });

    it("sends a file through the upload flow", async () => {
      const result = await rig.adapter.sendFile?.({ workspaceId: rig.fake.teamId, userId: CLIENT }, { filename: "export.json", contentType: "application/json", content: "{\"a\":1}", comment: "Your export" });
      expect(result).toMatchObject({ ok: true, ref: { channelId: rig.fake.dmChannelOf(CLIENT) } });
      expect(rig.fake.uploads).toHaveLength(1);
      expect(rig.fake.messagesTo(CLIENT)[0]?.text).toContain("export.json");
    });
  });

  describe("buttons and the comment modal", () => {
    async function sendPrompt() {
      const sent = await rig.adapter.sendDirect({ workspaceId: rig.fake.teamId, userId: CLIENT }, promptView());
      if (!sent.ok) throw new Error(sent.code);
      return sent.ref;
    }

    it("opens the modal from the engine's reply and turns the submission into a CommentEvent", async () => {
      const ref = await sendPrompt();
      inbound.answer = (event) =>
        event.type === "action"
          ? { text: "", openCommentModal: { checkInId: CHECK_IN, title: "Your comment", label: "Anything to add?", submit: "Send", placeholder: "Optional", maxLength: 1000 } }
          : { text: "Thanks for your comment." };
      const commentAction = encodeAction({ op: "comment", checkInId: CHECK_IN });
      await rig.sender().send(blockAction({ teamId: rig.fake.teamId, userId: CLIENT, actionId: commentAction, triggerId: "TRMODAL", container: { type: "message", channelId: ref.channelId, messageTs: ref.messageId }, responseUrl: rig.fake.responseUrl() }));
      await rig.adapter.idle();
      const [opened] = rig.fake.callsTo("views.open");
      expect(opened).toMatchObject({
        trigger_id: "TRMODAL",
        view: { type: "modal", callback_id: "checkin_comment", private_metadata: CHECK_IN, title: { text: "Your comment" }, submit: { text: "Send" } },
      });
      expect(JSON.stringify(opened)).toContain('"max_length":1000');

      const result = await rig.sender().send(commentSubmission({ teamId: rig.fake.teamId, userId: CLIENT, checkInId: CHECK_IN, text: "you don't listen", triggerId: "TRSUBMIT" }));
      await rig.adapter.idle();
      expect(inbound.events[1]).toMatchObject({ type: "comment", checkInId: CHECK_IN, text: "you don't listen", deliveryId: "slack:view:TRSUBMIT", actor: { userId: CLIENT } });
      expect(result.json()).toMatchObject({ response_action: "update", view: { type: "modal" } });
      expect(result.text).toContain("Thanks for your comment.");
    });

    it("returns response_action errors when the engine refuses the comment", async () => {
      inbound.answer = () => ({ text: "This check-in is closed.", refused: true });
      const result = await rig.sender().send(commentSubmission({ teamId: rig.fake.teamId, userId: CLIENT, checkInId: CHECK_IN, text: "late", triggerId: "TRLATE" }));
      expect(result.json()).toEqual({ response_action: "errors", errors: { comment: "This check-in is closed." } });
    });

    it("replaces the message with the engine's text and no buttons after the last answer", async () => {
      const ref = await sendPrompt();
      inbound.answer = () => ({ text: "", replaceMessageText: "Thank you, see you next week." });
      const responseUrl = rig.fake.responseUrl();
      await rig.sender().send(blockAction({ teamId: rig.fake.teamId, userId: CLIENT, actionId: encodeAction({ op: "score", checkInId: CHECK_IN, item: "bond", value: 2 }), triggerId: "TRLAST", container: { type: "message", channelId: ref.channelId, messageTs: ref.messageId }, responseUrl }));
      await rig.adapter.idle();
      const [message] = rig.fake.messagesTo(CLIENT);
      expect(visibleText(message!)).toBe("Thank you, see you next week.");
      expect(buttonActionIds(message!.blocks)).toEqual([]);
      expect(JSON.stringify(message)).not.toMatch(/ci:ci_123:bond:2/);
      expect(rig.fake.responsesAt(responseUrl)).toEqual([]);
    });

    it("shows a refused button press ephemerally and leaves the message alone", async () => {
      const ref = await sendPrompt();
      inbound.answer = () => ({ text: "This is not your check-in.", refused: true });
      const responseUrl = rig.fake.responseUrl();
      await rig.sender().send(blockAction({ teamId: rig.fake.teamId, userId: "UOTHER", actionId: encodeAction({ op: "skip", checkInId: CHECK_IN }), triggerId: "TROTHER", container: { type: "message", channelId: ref.channelId, messageTs: ref.messageId }, responseUrl }));
      await rig.adapter.idle();
      expect(rig.fake.responsesAt(responseUrl)).toEqual([expect.objectContaining({ response_type: "ephemeral", replace_original: false, text: "This is not your check-in." })]);
      expect(rig.fake.callsTo("chat.update")).toHaveLength(0);
    });
  });

  describe("App Home", () => {
    it("publishes the engine's home view when the tab opens", async () => {
      rig.fake.setUser("UTHER", { isAdmin: false });
      const result = await rig.sender().send(appHomeOpened({ teamId: rig.fake.teamId, userId: "UTHER", eventId: "Ev1" }));
      expect(result.status).toBe(200);
      await rig.adapter.idle();
      expect(inbound.homeActors).toEqual([{ platform: "slack", workspaceId: rig.fake.teamId, userId: "UTHER", isPlatformAdmin: false }]);
      const [published] = rig.fake.callsTo("views.publish");
      expect(published).toMatchObject({ user_id: "UTHER", view: { type: "home" } });
      const blocks = (published!.view as { blocks: unknown[] }).blocks;
      expect(visibleText({ text: "", blocks })).toContain("Tuesday 17:50");
      expect(buttonActionIds(blocks)).toEqual(["me:pause"]);
    });

    it("republishes the home view after a button on it", async () => {
      inbound.answer = () => ({ text: "Paused." });
      await rig.sender().send(blockAction({ teamId: rig.fake.teamId, userId: CLIENT, actionId: "me:pause", triggerId: "TRHOME", container: { type: "home" } }));
      await rig.adapter.idle();
      expect(inbound.events[0]).toMatchObject({ type: "action", actionId: "me:pause" });
      expect(inbound.events[0]).not.toHaveProperty("messageRef");
      expect(rig.fake.callsTo("chat.postEphemeral")).toEqual([expect.objectContaining({ user: CLIENT, text: "Paused." })]);
      expect(rig.fake.callsTo("views.publish")).toHaveLength(1);
    });
  });
});

describe("Slack settings from the environment", () => {
  it("reads SLACK_ADMIN_USER_IDS and SLACK_API_URL, defaulting to Slack's own API in HTTP mode", () => {
    const settings = resolveSlackSettings({}, { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s", SLACK_ADMIN_USER_IDS: " U1,U2 ,,", SLACK_API_URL: "https://slack-gov.com/api" });
    expect([...settings.adminUserIds]).toEqual(["U1", "U2"]);
    expect(settings.apiUrl).toBe("https://slack-gov.com/api/");
    expect(settings.mode).toBe("http");
    const plain = resolveSlackSettings({}, { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" });
    expect([plain.apiUrl, plain.adminUserIds.size, plain.port]).toEqual([null, 0, 3000]);
    expect(resolveSlackSettings({}, { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).mode).toBe("socket");
    expect(() => resolveSlackSettings({}, { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s", SLACK_API_URL: "ftp://x" })).toThrow(/SLACK_API_URL/);
  });

  it("counts the primary owner and SLACK_ADMIN_USER_IDS from the environment as admins", async () => {
    const inbound = new RecordingInbound();
    const rig = await bootSlackRig(inbound, { adminUserIds: undefined, env: { SLACK_ADMIN_USER_IDS: "UENVADMIN" } });
    try {
      await rig.adapter.start();
      rig.fake.setUser("UPRIMARY", { isPrimaryOwner: true });
      for (const user of ["UENVADMIN", "UPRIMARY", "UPLAIN2"]) {
        await rig.sender().send(slashCommand({ teamId: rig.fake.teamId, userId: user, text: "list", triggerId: rig.sender().nextId("TR"), responseUrl: rig.fake.responseUrl() }));
      }
      await rig.adapter.idle();
      expect(inbound.events.map((e) => [e.actor.userId, e.actor.isPlatformAdmin])).toEqual([
        ["UENVADMIN", true],
        ["UPRIMARY", true],
        ["UPLAIN2", false],
      ]);
    } finally {
      await rig.close();
    }
  });
});

describe("createSlackAdapter configuration", () => {
  const inbound: InboundPort = { receive: async () => ({ text: "" }) };

  it("names the missing variable", () => {
    expect(() => createSlackAdapter({ inbound, logger: silentLogger, env: { SLACK_SIGNING_SECRET: "s" } })).toThrowError(MissingSlackConfigError);
    expect(() => createSlackAdapter({ inbound, logger: silentLogger, env: { SLACK_SIGNING_SECRET: "s" } })).toThrow(/SLACK_BOT_TOKEN/);
    try {
      createSlackAdapter({ inbound, logger: silentLogger, env: { SLACK_BOT_TOKEN: "xoxb-1" } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MissingSlackConfigError);
      expect(error).toMatchObject({ code: "slack_config_missing", variable: "SLACK_SIGNING_SECRET" });
    }
  });

  it("lets explicit options win over the environment and needs no signing secret in Socket Mode", () => {
    expect(() => createSlackAdapter({ inbound, logger: silentLogger, botToken: "xoxb-1", signingSecret: "explicit", env: { SLACK_BOT_TOKEN: "" } })).not.toThrow();
    const socket = createSlackAdapter({ inbound, logger: silentLogger, env: { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1", SLACK_API_URL: "https://slack-gov.com/api" } });
    expect(socket.receiverPort()).toBe(0);
  });
});
