// A local fake of the Slack Web API for end-to-end adapter tests. Point Bolt at it with
// `clientOptions.slackApiUrl = fake.apiUrl`. It records every call, keeps DM message state
// (posts, edits, deletions), serves response_url posts and can inject failures.

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeSlackCall {
  method: string;
  args: Record<string, unknown>;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  deleted: boolean;
  /** Set for file shares made through files.completeUploadExternal. */
  fileId?: string;
}

export interface FakeSlackUser {
  id: string;
  exists: boolean;
  deleted: boolean;
  isAdmin: boolean;
  isOwner: boolean;
  isPrimaryOwner?: boolean;
  isBot: boolean;
}

export interface InjectedFailure {
  /** Slack error code returned with HTTP 200 and ok:false, e.g. "user_not_found". */
  error?: string;
  /** HTTP status instead; 429 adds a Retry-After header. */
  status?: number;
  retryAfterSeconds?: number;
  /** How many calls fail; default 1. Infinity for every call. */
  times?: number;
  /** Only calls whose arguments match fail. */
  when?: (args: Record<string, unknown>) => boolean;
}

export interface PostedResponse {
  id: string;
  body: Record<string, unknown>;
}

export class FakeSlack {
  readonly calls: FakeSlackCall[] = [];
  readonly responses: PostedResponse[] = [];
  readonly uploads: { fileId: string; bytes: number }[] = [];
  private readonly messages: FakeSlackMessage[] = [];
  private readonly users = new Map<string, FakeSlackUser>();
  private readonly failures = new Map<string, InjectedFailure[]>();
  private readonly pendingUploads = new Map<string, { filename: string }>();
  /** What apps.connections.open hands out (see fake-slack-socket.ts); null answers invalid_auth. */
  socketUrl: string | null = null;
  private clock = 1_700_000_000;
  private sequence = 0;

  private constructor(
    private readonly server: Server,
    readonly teamId: string,
    readonly botUserId: string,
  ) {}

  static async start(options: { teamId?: string; botUserId?: string } = {}): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = createServer((req, res) => {
      fake?.handle(req, res).catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
    fake = new FakeSlack(server, options.teamId ?? "T0FAKE", options.botUserId ?? "UBOT");
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What to pass as `slackApiUrl` / SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** A fresh response_url served by this fake. */
  responseUrl(id = `R${++this.sequence}`): string {
    return `${this.baseUrl}/response/${id}`;
  }

  responsesAt(url: string): Record<string, unknown>[] {
    const id = url.split("/response/")[1] ?? "";
    return this.responses.filter((r) => r.id === id).map((r) => r.body);
  }

  setUser(id: string, traits: Partial<Omit<FakeSlackUser, "id">>): void {
    this.users.set(id, { ...this.user(id), ...traits });
  }

  fail(method: string, failure: InjectedFailure): void {
    const list = this.failures.get(method) ?? [];
    list.push({ times: 1, ...failure });
    this.failures.set(method, list);
  }

  callsTo(method: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  dmChannelOf(userId: string): string {
    return `D${userId}`;
  }

  /** Messages in the DM with `userId`, oldest first, after edits (deleted ones flagged). */
  messagesTo(userId: string): FakeSlackMessage[] {
    return this.messages.filter((m) => m.channel === this.dmChannelOf(userId));
  }

  message(channel: string, ts: string): FakeSlackMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private user(id: string): FakeSlackUser {
    return this.users.get(id) ?? { id, exists: true, deleted: false, isAdmin: false, isOwner: false, isBot: false };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? "/", this.baseUrl).pathname;
    if (path.startsWith("/response/")) {
      this.responses.push({ id: path.slice("/response/".length), body: JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown> });
      return send(res, 200, { ok: true });
    }
    if (path.startsWith("/upload/")) {
      this.uploads.push({ fileId: path.slice("/upload/".length), bytes: raw.length });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("OK");
      return;
    }
    if (!path.startsWith("/api/")) return send(res, 404, { ok: false, error: "not_found" });
    const method = path.slice("/api/".length);
    const args = parseArgs(raw, String(req.headers["content-type"] ?? ""));
    this.calls.push({ method, args });
    const failure = this.takeFailure(method, args);
    if (failure) {
      if (failure.status) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (failure.retryAfterSeconds !== undefined) headers["retry-after"] = String(failure.retryAfterSeconds);
        res.writeHead(failure.status, headers);
        res.end(JSON.stringify({ ok: false, error: failure.status === 429 ? "ratelimited" : "http_error" }));
        return;
      }
      return send(res, 200, { ok: false, error: failure.error ?? "internal_error" });
    }
    return send(res, 200, this.answer(method, args));
  }

  private takeFailure(method: string, args: Record<string, unknown>): InjectedFailure | undefined {
    const list = this.failures.get(method) ?? [];
    const index = list.findIndex((f) => (f.times ?? 1) > 0 && (!f.when || f.when(args)));
    if (index < 0) return undefined;
    const failure = list[index]!;
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) list.splice(index, 1);
    return failure;
  }

  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.${String(++this.sequence).padStart(6, "0")}`;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://fake.slack/", team: "fake", user: "bot", team_id: this.teamId, user_id: this.botUserId, bot_id: "BFAKE" };
      case "apps.connections.open":
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: "invalid_auth" };
      case "users.info": {
        const user = this.user(String(args.user));
        if (!user.exists) return { ok: false, error: "user_not_found" };
        return { ok: true, user: { id: user.id, team_id: this.teamId, deleted: user.deleted, is_admin: user.isAdmin, is_owner: user.isOwner, is_primary_owner: user.isPrimaryOwner === true, is_bot: user.isBot } };
      }
      case "users.list": {
        // Two members a page, so callers must follow next_cursor.
        const all = [...this.users.values()].filter((u) => u.exists);
        const start = Number(args.cursor ?? 0) || 0;
        const page = all.slice(start, start + 2);
        const next = start + 2 < all.length ? String(start + 2) : "";
        return {
          ok: true,
          members: page.map((u) => ({ id: u.id, team_id: this.teamId, deleted: u.deleted, is_admin: u.isAdmin, is_owner: u.isOwner, is_primary_owner: u.isPrimaryOwner === true, is_bot: u.isBot })),
          response_metadata: { next_cursor: next },
        };
      }
      case "conversations.open": {
        const userId = String(args.users ?? "");
        const user = this.user(userId);
        if (!user.exists) return { ok: false, error: "user_not_found" };
        if (user.deleted) return { ok: false, error: "user_disabled" };
        if (user.isBot) return { ok: false, error: "cannot_dm_bot" };
        return { ok: true, channel: { id: this.dmChannelOf(userId) } };
      }
      case "chat.postMessage": {
        const message: FakeSlackMessage = { channel: String(args.channel), ts: this.nextTs(), text: String(args.text ?? ""), blocks: asArray(args.blocks), deleted: false };
        this.messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts, message: { text: message.text, ts: message.ts } };
      }
      case "chat.update": {
        const message = this.message(String(args.channel), String(args.ts));
        if (!message || message.deleted) return { ok: false, error: "message_not_found" };
        message.text = String(args.text ?? "");
        message.blocks = asArray(args.blocks);
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case "chat.delete": {
        const message = this.message(String(args.channel), String(args.ts));
        if (!message || message.deleted) return { ok: false, error: "message_not_found" };
        message.deleted = true;
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case "chat.postEphemeral":
        return { ok: true, message_ts: this.nextTs() };
      case "views.open":
        return { ok: true, view: { ...(args.view as object), id: `V${++this.sequence}` } };
      case "views.publish":
        return { ok: true, view: { ...(args.view as object), id: `V${++this.sequence}` } };
      case "files.getUploadURLExternal": {
        const fileId = `F${++this.sequence}`;
        this.pendingUploads.set(fileId, { filename: String(args.filename) });
        return { ok: true, file_id: fileId, upload_url: `${this.baseUrl}/upload/${fileId}` };
      }
      case "files.completeUploadExternal": {
        const files = asArray(args.files) as { id: string; title?: string }[];
        for (const file of files) {
          const pending = this.pendingUploads.get(file.id);
          if (!pending) return { ok: false, error: "file_not_found" };
          this.messages.push({
            channel: String(args.channel_id),
            ts: this.nextTs(),
            text: [String(args.initial_comment ?? ""), pending.filename].filter(Boolean).join("\n"),
            blocks: [],
            deleted: false,
            fileId: file.id,
          });
        }
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? "" })) };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

/** All visible text of Block Kit blocks (sections, contexts, headers, button labels), one per line. */
export function visibleText(message: { text: string; blocks: unknown[] }): string {
  if (message.blocks.length === 0) return message.text;
  const lines: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if ((record.type === "mrkdwn" || record.type === "plain_text") && typeof record.text === "string") {
      lines.push(unescapeMrkdwn(record.text));
      return;
    }
    for (const key of ["text", "fields", "elements"]) if (key in record) visit(record[key]);
  };
  visit(message.blocks);
  return lines.join("\n");
}

/** Action ids of every button in the blocks, in order. */
export function buttonActionIds(blocks: unknown[]): string[] {
  const ids: string[] = [];
  for (const block of blocks as { type?: string; elements?: { type?: string; action_id?: string }[] }[]) {
    if (block.type !== "actions") continue;
    for (const element of block.elements ?? []) if (element.type === "button" && element.action_id) ids.push(element.action_id);
  }
  return ids;
}

export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function parseArgs(raw: Buffer, contentType: string): Record<string, unknown> {
  const text = raw.toString("utf8");
  if (contentType.includes("application/json")) return JSON.parse(text || "{}") as Record<string, unknown>;
  if (!contentType.includes("application/x-www-form-urlencoded")) return {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
