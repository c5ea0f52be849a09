// A zero-latency ChatPlatform for load tests, replica tests and the benchmark (never in
// production). Every delivered message is appended as one JSON line to a shared file with a
// synchronous write, so the record survives the process being killed the instant sendDirect
// returns and several processes can append to the same file. Like a platform with an
// idempotency key (Discord's message nonce), it can answer "was this check-in already
// delivered?" from that log. Inbound events arrive as JSON over HTTP (POST /sink/events).

import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatPlatform, MessageRef, OutboundView, PlatformRole, Recipient, SendResult } from "../ports/chat-platform.ts";
import type { InboundEvent, InboundPort } from "../ports/inbound.ts";
import type { PlatformName } from "../core/model.ts";
import { decodeAction } from "../ports/action-ids.ts";

export const SINK_EVENTS_PATH = "/sink/events";

/** One line of the sink's delivery log. */
export interface SinkRecord {
  op: "send" | "update";
  pid: number;
  userId: string;
  kind: OutboundView["kind"];
  /** The check-in a prompt or consent request is for. */
  checkInId: string | null;
  messageId: string;
}

export interface SinkPlatform extends ChatPlatform {
  /** Handles POST /sink/events: the body is one InboundEvent; the reply is the engine's Reply. */
  handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Which check-in a view belongs to, if it is a prompt or a consent request. */
export function checkInIdOf(view: OutboundView): string | null {
  if (view.kind === "prompt") return view.checkInId;
  if (view.kind === "link") return view.checkInId;
  if (view.kind === "consent") {
    const action = decodeAction(view.accept.actionId);
    return action && "checkInId" in action ? action.checkInId : null;
  }
  return null;
}

export function readSinkLog(file: string): SinkRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as SinkRecord);
}

export interface SinkPlatformOptions {
  file: string;
  inbound: InboundPort;
  name?: PlatformName;
  /** Simulated platform latency per send (default 0); the shutdown tests use it to have sends in flight. */
  latencyMs?: number;
}

export function createSinkPlatform(options: SinkPlatformOptions): SinkPlatform {
  const fd = openSync(options.file, "a");
  let counter = 0;
  let open = true;
  const admins = new Set<string>();
  const append = (record: SinkRecord): void => {
    writeSync(fd, `${JSON.stringify(record)}\n`);
  };
  const ok = (ref: MessageRef): SendResult => ({ ok: true, ref });
  return {
    name: options.name ?? "terminal",
    async start() {},
    async stop() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
    async sendDirect(to: Recipient, view: OutboundView) {
      if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
      if (!open) return { ok: false, code: "sink_closed", failure: "transient" };
      const messageId = `${process.pid}-${++counter}`;
      append({ op: "send", pid: process.pid, userId: to.userId, kind: view.kind, checkInId: checkInIdOf(view), messageId });
      return ok({ channelId: `D-${to.userId}`, messageId });
    },
    async update(to: Recipient, ref: MessageRef, view: OutboundView) {
      if (!open) return { ok: false, code: "sink_closed", failure: "transient" };
      append({ op: "update", pid: process.pid, userId: to.userId, kind: view.kind, checkInId: checkInIdOf(view), messageId: ref.messageId });
      return ok(ref);
    },
    // Whoever last acted as an admin through the sink is one; everyone else is a member.
    async currentRole(who: Recipient): Promise<PlatformRole> {
      return admins.has(who.userId) ? "admin" : "member";
    },
    async findSent(to: Recipient, checkInId: string) {
      const prior = readSinkLog(options.file).find((r) => r.op === "send" && r.checkInId === checkInId && r.userId === to.userId);
      return prior ? { channelId: `D-${to.userId}`, messageId: prior.messageId } : null;
    },
    async handleHttp(req: IncomingMessage, res: ServerResponse) {
      if (req.method !== "POST") {
        res.writeHead(405).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      let event: InboundEvent;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as InboundEvent;
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (event?.actor?.isPlatformAdmin === true) admins.add(event.actor.userId);
      else if (event?.actor?.userId) admins.delete(event.actor.userId);
      const reply = await options.inbound.receive(event);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    },
  };
}
