// A ChatPlatform test double that records what the engine sent (Hubot's DummyAdapter idea).
// Used for engine tests; adapter behaviour itself is proven against fake platform servers.

import type { ChatPlatform, MessageRef, OutboundView, PlatformRole, Recipient, SendResult } from "../../src/ports/chat-platform.ts";
import type { PlatformName } from "../../src/core/model.ts";
import type { Actor } from "../../src/ports/inbound.ts";

export interface RecordedMessage {
  to: Recipient;
  ref: MessageRef;
  view: OutboundView;
  history: OutboundView[];
  deleted: boolean;
}

export class RecordingPlatform implements ChatPlatform {
  readonly messages: RecordedMessage[] = [];
  /** Return this result for the next sends instead of succeeding (e.g. a 429). */
  failNext: SendResult[] = [];
  /** When set, `failNext` applies only to sends this accepts (e.g. one recipient's). */
  failWhen: ((to: Recipient, view: OutboundView) => boolean) | null = null;
  /** What currentRole answers per user id; anyone else is a "member" (see `absent`). */
  readonly roles = new Map<string, PlatformRole>();
  /** When true, users not in `roles` are "absent" instead of "member". */
  absentByDefault = false;
  /** What listAdmins answers; unset = none. */
  listedAdmins: string[] = [];
  /** Every currentRole lookup, in order. */
  readonly roleLookups: string[] = [];
  private counter = 0;

  constructor(readonly name: PlatformName = "terminal") {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Like a real platform, the role an actor acted with is their current one (the engine fixture reports each actor). */
  observe(actor: Actor): void {
    if (this.roles.get(actor.userId) === "absent") return;
    this.roles.set(actor.userId, actor.isPlatformAdmin ? "admin" : "member");
  }

  async currentRole(who: Recipient): Promise<PlatformRole> {
    this.roleLookups.push(who.userId);
    return this.roles.get(who.userId) ?? (this.absentByDefault ? "absent" : "member");
  }

  async listAdmins(): Promise<string[]> {
    return [...this.listedAdmins];
  }

  async sendDirect(to: Recipient, view: OutboundView): Promise<SendResult> {
    const failure = !this.failWhen || this.failWhen(to, view) ? this.failNext.shift() : undefined;
    if (failure) return failure;
    const ref = { channelId: `D-${to.userId}`, messageId: `m${++this.counter}` };
    this.messages.push({ to, ref, view, history: [view], deleted: false });
    return { ok: true, ref };
  }

  async update(_to: Recipient, ref: MessageRef, view: OutboundView): Promise<SendResult> {
    const message = this.messages.find((m) => m.ref.messageId === ref.messageId);
    // Like Slack and Discord, a deleted message cannot be edited.
    if (!message || message.deleted) return { ok: false, code: "message_not_found", failure: "payload_rejected" };
    message.view = view;
    message.history.push(view);
    return { ok: true, ref };
  }

  async delete(_to: Recipient, ref: MessageRef): Promise<SendResult> {
    const message = this.messages.find((m) => m.ref.messageId === ref.messageId);
    if (!message) return { ok: false, code: "message_not_found", failure: "payload_rejected" };
    message.deleted = true;
    return { ok: true, ref };
  }

  to(userId: string): RecordedMessage[] {
    return this.messages.filter((m) => m.to.userId === userId);
  }

  lastTo(userId: string): RecordedMessage | undefined {
    return this.to(userId).at(-1);
  }
}
