// Outbound messages over the REST API: DMs, edits, deletes, files and reachability checks.
// Every method returns a SendResult; platform failures are never thrown.

import { Routes } from "discord.js";
import type { REST, RESTPostAPIChannelMessageResult, RESTPostAPICurrentUserCreateDMChannelResult } from "discord.js";
import type { FileView, MessageRef, OutboundView, Recipient, SendResult } from "../../src/ports/chat-platform.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { renderView } from "./render.ts";
import type { CommentModalSpec } from "./render.ts";
import { errorFields, toFailure } from "./results.ts";

const MAX_REMEMBERED = 5000;

/** A bounded map that forgets its oldest entries; for caches that may be lost at any time. */
class BoundedMap<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(key: string): V | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

export class DiscordOutbound {
  /** DM channel per user: saves a REST call per message; rebuilt on demand after a restart. */
  private readonly dmChannels = new BoundedMap<string>(MAX_REMEMBERED);
  /**
   * Comment modal texts per check-in, seen when the prompt was sent. Only an optimisation: the
   * modal must open before the engine can be asked, and a miss falls back to the button's label.
   */
  readonly commentModals = new BoundedMap<CommentModalSpec>(MAX_REMEMBERED);

  constructor(
    private readonly rest: REST,
    private readonly logger: Logger,
  ) {}

  private async dmChannelId(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId);
    if (known) return known;
    const channel = (await this.rest.post(Routes.userChannels(), {
      body: { recipient_id: userId },
    })) as RESTPostAPICurrentUserCreateDMChannelResult;
    this.dmChannels.set(userId, channel.id);
    return channel.id;
  }

  private remember(view: OutboundView): void {
    if (view.kind === "prompt" && view.commentModal) {
      const { title, label, placeholder, maxLength } = view.commentModal;
      this.commentModals.set(view.checkInId, { title, label, placeholder, maxLength });
    }
  }

  private fail(operation: string, to: Recipient, error: unknown): SendResult {
    const failure = toFailure(error);
    this.logger.warn({ operation, userId: to.userId, guildId: to.workspaceId, code: failure.code, ...errorFields(error) }, "discord send failed");
    return failure;
  }

  async sendDirect(to: Recipient, view: OutboundView): Promise<SendResult> {
    try {
      const channelId = await this.dmChannelId(to.userId);
      this.remember(view);
      const message = (await this.rest.post(Routes.channelMessages(channelId), {
        body: renderView(view),
      })) as RESTPostAPIChannelMessageResult;
      this.logger.debug({ operation: "sendDirect", userId: to.userId, messageId: message.id, kind: view.kind }, "discord message sent");
      return { ok: true, ref: { channelId, messageId: message.id } };
    } catch (error) {
      return this.fail("sendDirect", to, error);
    }
  }

  async update(to: Recipient, ref: MessageRef, view: OutboundView): Promise<SendResult> {
    try {
      this.remember(view);
      await this.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), { body: renderView(view) });
      return { ok: true, ref };
    } catch (error) {
      return this.fail("update", to, error);
    }
  }

  async delete(to: Recipient, ref: MessageRef): Promise<SendResult> {
    try {
      await this.rest.delete(Routes.channelMessage(ref.channelId, ref.messageId));
      return { ok: true, ref };
    } catch (error) {
      return this.fail("delete", to, error);
    }
  }

  async sendFile(to: Recipient, file: FileView): Promise<SendResult> {
    try {
      const channelId = await this.dmChannelId(to.userId);
      const message = (await this.rest.post(Routes.channelMessages(channelId), {
        body: { content: file.comment.slice(0, 2000), attachments: [{ id: 0, filename: file.filename }], allowed_mentions: { parse: [] } },
        files: [{ name: file.filename, data: Buffer.from(file.content, "utf8"), contentType: file.contentType }],
      })) as RESTPostAPIChannelMessageResult;
      return { ok: true, ref: { channelId, messageId: message.id } };
    } catch (error) {
      return this.fail("sendFile", to, error);
    }
  }

  /**
   * The person must be a member of the guild and a DM channel must open. Discord only reveals a
   * closed DM setting (50007) when a message is sent, so that case is learnt at the first send.
   */
  async checkReachable(to: Recipient): Promise<{ ok: true } | { ok: false; code: string }> {
    try {
      await this.rest.get(Routes.guildMember(to.workspaceId, to.userId));
    } catch (error) {
      const failure = this.fail("checkReachable.member", to, error);
      if (failure.ok) return { ok: true };
      return { ok: false, code: failure.code === "unknown_user" || failure.code === "not_found" ? "not_in_guild" : failure.code };
    }
    try {
      await this.dmChannelId(to.userId);
      return { ok: true };
    } catch (error) {
      const failure = this.fail("checkReachable.dm", to, error);
      if (failure.ok) return { ok: true };
      return { ok: false, code: failure.code === "rate_limited" || failure.code === "network_error" ? failure.code : "cannot_dm" };
    }
  }
}
