// Outbound half of the adapter: DMs, edits, deletions, files, reachability checks.
// Every method returns a SendResult; Web API failures never escape as exceptions.

import type { webApi } from "@slack/bolt";
import type { ButtonView, FileView, MessageRef, OutboundView, Recipient, SendResult } from "../../src/ports/chat-platform.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { renderMessage } from "./blocks.ts";
import { SlackAdapterError } from "./errors.ts";
import { classifySlackError, slackErrorCode, toSendFailure } from "./send-result.ts";

type WebClient = webApi.WebClient;

export class SlackOutbound {
  /** DM channel per user; a DM channel id never changes for a bot–user pair. */
  private readonly dmChannels = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {}

  async sendDirect(to: Recipient, view: OutboundView): Promise<SendResult> {
    return this.attempt("chat.postMessage", to, async () => {
      const channel = await this.dmChannel(to.userId);
      const message = renderMessage(view);
      const result = await this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
      return { channelId: result.channel ?? channel, messageId: requireTs(result.ts) };
    });
  }

  async update(to: Recipient, ref: MessageRef, view: OutboundView): Promise<SendResult> {
    return this.attempt("chat.update", to, async () => {
      const message = renderMessage(view);
      const result = await this.client.chat.update({ channel: ref.channelId, ts: ref.messageId, text: message.text, blocks: message.blocks });
      return { channelId: result.channel ?? ref.channelId, messageId: result.ts ?? ref.messageId };
    });
  }

  async delete(to: Recipient, ref: MessageRef): Promise<SendResult> {
    return this.attempt("chat.delete", to, async () => {
      await this.client.chat.delete({ channel: ref.channelId, ts: ref.messageId });
      return ref;
    });
  }

  /** Uploads a file into the DM. The returned messageId is the Slack file id. */
  async sendFile(to: Recipient, file: FileView): Promise<SendResult> {
    return this.attempt("files.uploadV2", to, async () => {
      const channel = await this.dmChannel(to.userId);
      const result = (await this.client.filesUploadV2({
        channel_id: channel,
        filename: file.filename,
        title: file.filename,
        content: file.content,
        ...(file.comment ? { initial_comment: file.comment } : {}),
      })) as { files?: { files?: { id?: string }[] }[] };
      const fileId = result.files?.[0]?.files?.[0]?.id ?? "";
      return { channelId: channel, messageId: fileId };
    });
  }

  async checkReachable(to: Recipient): Promise<{ ok: true } | { ok: false; code: string }> {
    try {
      const info = await this.client.users.info({ user: to.userId });
      const user = info.user;
      if (!user || user.deleted) return this.unreachable(to, "account_inactive");
      if (user.is_bot || user.id === "USLACKBOT") return this.unreachable(to, "cannot_dm_bot");
      await this.dmChannel(to.userId);
      return { ok: true };
    } catch (error) {
      return this.unreachable(to, slackErrorCode(error));
    }
  }

  /** Replaces a message with plain text and no buttons, e.g. after a prompt is answered. */
  async replaceWithText(ref: MessageRef, text: string): Promise<SendResult> {
    return this.attempt("chat.update", null, async () => {
      const message = renderMessage({ kind: "closed", text });
      await this.client.chat.update({ channel: ref.channelId, ts: ref.messageId, text: message.text, blocks: message.blocks });
      return ref;
    });
  }

  /** Shows text only to one user, in their DM with the bot. */
  async postEphemeralInDm(userId: string, text: string, buttons?: readonly ButtonView[]): Promise<SendResult> {
    return this.attempt("chat.postEphemeral", null, async () => {
      const channel = await this.dmChannel(userId);
      const message = renderMessage({ kind: "notice", text, ...(buttons?.length ? { buttons: [...buttons] } : {}) });
      await this.client.chat.postEphemeral({ channel, user: userId, text: message.text, blocks: message.blocks });
      return { channelId: channel, messageId: "" };
    });
  }

  async dmChannel(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId);
    if (known) return known;
    const opened = await this.client.conversations.open({ users: userId });
    const channel = opened.channel?.id;
    if (!channel) throw new SlackAdapterError("unexpected_response", "conversations.open returned no channel");
    this.dmChannels.set(userId, channel);
    return channel;
  }

  private async attempt(method: string, to: Recipient | null, call: () => Promise<MessageRef>): Promise<SendResult> {
    try {
      return { ok: true, ref: await call() };
    } catch (error) {
      const failure = toSendFailure(error);
      const fields = { method, code: failure.code, failure: failure.failure, userId: to?.userId };
      if (failure.failure === "recipient_unreachable") this.dmChannels.delete(to?.userId ?? "");
      this.logger.warn(fields, "slack call failed");
      return failure;
    }
  }

  private unreachable(to: Recipient, code: string): { ok: false; code: string } {
    this.logger.info({ userId: to.userId, code, failure: classifySlackError(code) }, "slack user unreachable");
    return { ok: false, code };
  }
}

function requireTs(ts: string | undefined): string {
  if (!ts) throw new SlackAdapterError("unexpected_response", "chat.postMessage returned no ts");
  return ts;
}
