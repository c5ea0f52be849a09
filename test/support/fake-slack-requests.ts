// Builds Slack's inbound HTTP deliveries (slash commands, block actions, view submissions,
// Events API callbacks) and posts them into a real receiver, correctly signed or deliberately
// forged, stale, future-dated or unsigned.

import { createHmac } from "node:crypto";

export type Signing = "valid" | "forged" | "stale" | "future" | "missing_signature" | "missing_timestamp";

export interface Delivery {
  body: string;
  contentType: "application/x-www-form-urlencoded" | "application/json";
}

export interface DeliveryResult {
  status: number;
  text: string;
  json(): Record<string, unknown> | null;
}

export function signSlackBody(secret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestampSeconds}:${body}`).digest("hex")}`;
}

export class SlackRequestSender {
  private sequence = 0;

  constructor(
    private readonly receiverUrl: string,
    private readonly signingSecret: string,
    private readonly nowMilliseconds: () => number = Date.now,
  ) {}

  /** A unique id with a Slack-like prefix, e.g. a trigger id. */
  nextId(prefix: string): string {
    return `${prefix}${Date.now().toString(36)}${++this.sequence}`;
  }

  async send(delivery: Delivery, options: { signing?: Signing; retryNum?: number } = {}): Promise<DeliveryResult> {
    const signing = options.signing ?? "valid";
    const nowSeconds = Math.floor(this.nowMilliseconds() / 1000);
    const timestamp = signing === "stale" ? nowSeconds - 6 * 60 : signing === "future" ? nowSeconds + 6 * 60 : nowSeconds;
    const headers: Record<string, string> = { "content-type": delivery.contentType };
    if (signing !== "missing_timestamp") headers["x-slack-request-timestamp"] = String(timestamp);
    if (signing !== "missing_signature") {
      const secret = signing === "forged" ? `${this.signingSecret}-not` : this.signingSecret;
      headers["x-slack-signature"] = signSlackBody(secret, timestamp, delivery.body);
    }
    if (options.retryNum !== undefined) {
      headers["x-slack-retry-num"] = String(options.retryNum);
      headers["x-slack-retry-reason"] = "http_timeout";
    }
    const response = await fetch(this.receiverUrl, { method: "POST", headers, body: delivery.body });
    const text = await response.text();
    return {
      status: response.status,
      text,
      json: () => {
        try {
          return JSON.parse(text) as Record<string, unknown>;
        } catch {
          return null;
        }
      },
    };
  }
}

export function slashCommand(input: { teamId: string; userId: string; text: string; triggerId: string; responseUrl: string; command?: string }): Delivery {
  const form = new URLSearchParams({
    token: "legacy-verification-token",
    team_id: input.teamId,
    team_domain: "fake",
    channel_id: `D${input.userId}`,
    channel_name: "directmessage",
    user_id: input.userId,
    user_name: "someone",
    command: input.command ?? "/checkin",
    text: input.text,
    api_app_id: "AFAKE",
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  });
  return { body: form.toString(), contentType: "application/x-www-form-urlencoded" };
}

export function blockAction(input: {
  teamId: string;
  userId: string;
  actionId: string;
  triggerId: string;
  actionTs?: string;
  /** Where the button was: a DM message, or the App Home. */
  container: { type: "message"; channelId: string; messageTs: string } | { type: "home" };
  responseUrl?: string;
}): Delivery {
  const action = { type: "button", action_id: input.actionId, block_id: "b", text: { type: "plain_text", text: "x" }, action_ts: input.actionTs ?? "1700000000.000001" };
  const base = {
    type: "block_actions",
    team: { id: input.teamId, domain: "fake" },
    user: { id: input.userId, username: "someone", name: "someone", team_id: input.teamId },
    api_app_id: "AFAKE",
    token: "legacy-verification-token",
    trigger_id: input.triggerId,
    actions: [action],
  };
  const payload =
    input.container.type === "message"
      ? {
          ...base,
          container: { type: "message", message_ts: input.container.messageTs, channel_id: input.container.channelId, is_ephemeral: false },
          channel: { id: input.container.channelId, name: "directmessage" },
          message: { type: "message", ts: input.container.messageTs, text: "" },
          response_url: input.responseUrl,
        }
      : { ...base, container: { type: "view", view_id: "VHOME" }, view: { id: "VHOME", type: "home", blocks: [] } };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: "application/x-www-form-urlencoded" };
}

export function commentSubmission(input: { teamId: string; userId: string; checkInId: string; text: string; triggerId: string; viewId?: string; title?: string }): Delivery {
  const payload = {
    type: "view_submission",
    team: { id: input.teamId, domain: "fake" },
    user: { id: input.userId, username: "someone", name: "someone", team_id: input.teamId },
    api_app_id: "AFAKE",
    token: "legacy-verification-token",
    trigger_id: input.triggerId,
    view: {
      id: input.viewId ?? "VCOMMENT",
      type: "modal",
      callback_id: "checkin_comment",
      private_metadata: input.checkInId,
      title: { type: "plain_text", text: input.title ?? "Comment" },
      blocks: [],
      hash: "h",
      state: { values: { comment: { comment_text: { type: "plain_text_input", value: input.text } } } },
    },
    response_urls: [],
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: "application/x-www-form-urlencoded" };
}

export function eventCallback(input: { teamId: string; eventId: string; event: Record<string, unknown> }): Delivery {
  const envelope = {
    token: "legacy-verification-token",
    team_id: input.teamId,
    api_app_id: "AFAKE",
    event: input.event,
    type: "event_callback",
    event_id: input.eventId,
    event_time: 1_700_000_000,
    authorizations: [{ team_id: input.teamId, user_id: "UBOT", is_bot: true }],
  };
  return { body: JSON.stringify(envelope), contentType: "application/json" };
}

export function appHomeOpened(input: { teamId: string; userId: string; eventId: string }): Delivery {
  return eventCallback({ teamId: input.teamId, eventId: input.eventId, event: { type: "app_home_opened", user: input.userId, channel: `D${input.userId}`, tab: "home", event_ts: "1700000000.000100" } });
}
