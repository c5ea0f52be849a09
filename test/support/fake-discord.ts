// A local fake of Discord for end-to-end tests of the real discord.js client: the REST routes the
// adapter uses (under /api/v10) and a gateway that says HELLO, answers IDENTIFY with READY and
// GUILD_CREATE, answers heartbeats and dispatches whatever a test sends. Every REST call is
// recorded; failures (50007, 429 …) can be injected; DM messages are kept so tests can read them.

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import {
  Administrator,
  ManageGuild,
  apiMember,
  apiUser,
  autocompleteInteraction,
  dmSlashCommandInteraction,
  buttonInteraction,
  modalSubmitInteraction,
  slashCommandInteraction,
} from "./fake-discord-payloads.ts";
import type { CommandOption, MemberSpec } from "./fake-discord-payloads.ts";

export interface RecordedCall {
  method: string;
  /** Path after /api/v10, e.g. "/channels/1/messages". */
  path: string;
  query: string;
  body: unknown;
  files: string[];
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  type: number;
  content: string;
  embeds: { title?: string; description?: string; fields?: { name: string; value: string }[]; footer?: { text: string } }[];
  components: { type: number; components: { type: number; label?: string; custom_id?: string }[] }[];
  attachments: { id: string; filename: string }[];
  author: Record<string, unknown>;
  timestamp: string;
  edited_timestamp: string | null;
  flags: number;
  tts: boolean;
  mention_everyone: boolean;
  mentions: unknown[];
  mention_roles: unknown[];
  pinned: boolean;
  deleted?: boolean;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** Callback bodies in order (type 5 defer, 6 deferUpdate, 8 autocomplete, 9 modal …). */
  callbacks: { type: number; data?: Record<string, unknown> }[];
  /** The message the interaction's original response edits: a component's message or a new reply. */
  original: FakeMessage | null;
  /** True when `original` is the DM message the button sat on. */
  originalIsComponentMessage: boolean;
  followUps: FakeMessage[];
}

export interface InjectedFailure {
  method: string;
  path: RegExp;
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  times: number;
}

export interface FakeDiscordOptions {
  token?: string;
  guildId?: string;
  applicationId?: string;
  botUserId?: string;
  /** Roles the guild has besides @everyone (e.g. an admin role). */
  roleIds?: string[];
  /** Permission bits of those roles (default none), as Discord reports them in GUILD_CREATE and GET roles. */
  rolePermissions?: Record<string, bigint>;
  /** The guild owner's user id. */
  ownerId?: string;
  /** Answer a second callback for one interaction with 40060, as Discord does. */
  rejectRepeatedAcks?: boolean;
  /** The first guild's name (GUILD_CREATE). */
  guildName?: string;
  /** More guilds the bot is in, each with its own members (a person may be in several practices). */
  extraGuilds?: { id: string; name: string }[];
}

const ROUTE = {
  gateway: /^\/gateway\/bot$/,
  guildCommands: /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/,
  globalCommands: /^\/applications\/(\d+)\/commands$/,
  dmChannel: /^\/users\/@me\/channels$/,
  messages: /^\/channels\/(\d+)\/messages$/,
  message: /^\/channels\/(\d+)\/messages\/(\d+)$/,
  callback: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
  webhookMessage: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/,
  webhook: /^\/webhooks\/(\d+)\/([^/]+)$/,
  member: /^\/guilds\/(\d+)\/members\/(\d+)$/,
  roles: /^\/guilds\/(\d+)\/roles$/,
};

export class FakeDiscord {
  readonly token: string;
  readonly guildId: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly calls: RecordedCall[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  /** Registered guild commands per guild, as the last PUT left them. */
  readonly commands = new Map<string, Record<string, unknown>[]>();
  /** Registered global commands, as the last PUT left them. */
  globalCommands: Record<string, unknown>[] = [];
  /** Every guild the bot is in: the first one, then `extraGuilds`. */
  readonly guilds: { id: string; name: string }[];
  readonly identifies: unknown[] = [];
  /** Session ids clients asked to resume (op 6). */
  readonly resumes: string[] = [];
  /** Members per guild. */
  private readonly guildMembers = new Map<string, Map<string, MemberSpec>>();
  private readonly knownUsers = new Set<string>();
  private readonly dmChannels = new Map<string, string>();
  private readonly messages = new Map<string, FakeMessage[]>();
  private readonly failures: InjectedFailure[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly roleIds: string[];
  private readonly rejectRepeatedAcks: boolean;
  private readonly rolePermissions: Record<string, bigint>;
  readonly ownerId: string;
  private nextId = 1_200_000_000_000_000_000n;
  private sequence = 0;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private port = 0;

  private constructor(options: FakeDiscordOptions) {
    this.token = options.token ?? "fake-bot-token";
    this.guildId = options.guildId ?? "100000000000000001";
    this.applicationId = options.applicationId ?? "200000000000000002";
    this.botUserId = options.botUserId ?? "300000000000000003";
    this.roleIds = options.roleIds ?? [];
    this.rejectRepeatedAcks = options.rejectRepeatedAcks ?? false;
    this.rolePermissions = options.rolePermissions ?? {};
    this.ownerId = options.ownerId ?? "999999999999999999";
    this.guilds = [{ id: this.guildId, name: options.guildName ?? "Practice" }, ...(options.extraGuilds ?? [])];
    for (const guild of this.guilds) this.guildMembers.set(guild.id, new Map());
  }

  private membersOf(guildId: string): Map<string, MemberSpec> {
    return this.guildMembers.get(guildId) ?? new Map();
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await fake.listen();
    return fake;
  }

  /** REST base to give discord.js (`rest.api`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  newId(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }

  /** A guild member (and a user the bot can DM); the first guild unless another is named. */
  addMember(spec: MemberSpec, guildId = this.guildId): void {
    this.membersOf(guildId).set(spec.userId, spec);
    this.knownUsers.add(spec.userId);
  }

  /** The member leaves the guild (or is kicked): member lookups answer 10007. */
  removeMember(userId: string, guildId = this.guildId): void {
    this.membersOf(guildId).delete(userId);
  }

  /** A Discord user who shares no guild with the bot. */
  addUser(userId: string): void {
    this.knownUsers.add(userId);
  }

  member(userId: string, guildId = this.guildId): MemberSpec | undefined {
    return this.membersOf(guildId).get(userId);
  }

  /** The next `times` matching requests fail with this status and JSON error body. */
  failNext(method: string, path: RegExp, status: number, body: Record<string, unknown>, headers?: Record<string, string>, times = 1): void {
    this.failures.push({ method, path, status, body, headers, times });
  }

  /** The next matching request gets a 429 with `retry_after` in body and headers. */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds: number): void {
    this.failNext(method, path, 429, { message: "You are being rate limited.", retry_after: retryAfterSeconds, global: false }, {
      "retry-after": String(Math.ceil(retryAfterSeconds)),
      "x-ratelimit-limit": "5",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset-after": retryAfterSeconds.toFixed(3),
      "x-ratelimit-bucket": "fakebucket",
      "x-ratelimit-scope": "user",
    });
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((call) => call.method === method && path.test(call.path));
  }

  dmChannelOf(userId: string): string | undefined {
    return this.dmChannels.get(userId);
  }

  /** Messages in the DM with a user, oldest first, including deleted ones (flagged). */
  messagesTo(userId: string): FakeMessage[] {
    const channelId = this.dmChannels.get(userId);
    return channelId ? (this.messages.get(channelId) ?? []) : [];
  }

  /** Every message in every channel. */
  allMessages(): FakeMessage[] {
    return [...this.messages.values()].flat();
  }

  findMessage(channelId: string, messageId: string): FakeMessage | undefined {
    return this.messages.get(channelId)?.find((message) => message.id === messageId);
  }

  /**
   * Sends a gateway dispatch to every connected client. Like Discord, the fake keeps the session's
   * dispatches, so one sent while the client was disconnected is replayed when it resumes.
   */
  dispatch(event: string, data: unknown): void {
    const packet = { op: 0, t: event, s: ++this.sequence, d: data };
    this.sent.push(packet);
    for (const socket of this.sockets) this.send(socket, packet);
  }

  /** Dispatches sent since READY, for replay on RESUME. */
  private readonly sent: { op: number; t: string; s: number; d: unknown }[] = [];

  /** Dispatches INTERACTION_CREATE and returns the record the adapter's responses land in. */
  interact(payload: Record<string, unknown>): InteractionRecord {
    const id = String(payload.id);
    this.payloads.set(id, payload);
    this.dispatchCounts.set(id, (this.dispatchCounts.get(id) ?? 0) + 1);
    let record = this.interactions.get(id);
    if (!record) {
      record = { id, token: String(payload.token), callbacks: [], original: null, originalIsComponentMessage: false, followUps: [] };
      this.interactions.set(id, record);
    }
    this.dispatch("INTERACTION_CREATE", payload);
    return record;
  }

  /** A member types `/checkin <subcommand>` in a guild's channel (or autocompletes an option); the first guild unless named. */
  slashCommand(
    userId: string,
    subcommand: string,
    options: CommandOption[] = [],
    extra: { id?: string; autocomplete?: boolean; guildId?: string } = {},
  ): InteractionRecord {
    const guildId = extra.guildId ?? this.guildId;
    const commandId = String(this.commands.get(guildId)?.[0]?.id ?? this.newId());
    const members = this.membersOf(guildId);
    const spec = {
      id: extra.id ?? this.newId(),
      token: `token-${this.newId()}`,
      applicationId: this.applicationId,
      guildId,
      channelId: "400000000000000004",
      commandId,
      member: members.get(userId) ?? { userId },
      subcommand,
      options,
      resolvedMembers: [...members.values()],
    };
    return this.interact(extra.autocomplete ? autocompleteInteraction(spec) : slashCommandInteraction(spec));
  }

  /**
   * The user types `/checkin <subcommand>` in their DM with the bot, which only the global DM
   * command allows: the payload has no guild, no member, `context: 1`. Throws when no global
   * command allowed in the bot DM with that subcommand was registered, as Discord would not offer it.
   */
  dmSlashCommand(userId: string, subcommand: string, options: CommandOption[] = []): InteractionRecord {
    const command = this.globalCommands.find((c) => c.name === "checkin" && Array.isArray(c.contexts) && (c.contexts as number[]).includes(1));
    const offered = ((command?.options ?? []) as { name: string }[]).some((o) => o.name === subcommand);
    if (!command || !offered) throw new Error(`no /checkin ${subcommand} registered for the bot DM`);
    let channelId = this.dmChannels.get(userId);
    if (!channelId) {
      channelId = this.newId();
      this.dmChannels.set(userId, channelId);
      this.messages.set(channelId, []);
    }
    return this.interact(
      dmSlashCommandInteraction({
        id: this.newId(),
        token: `token-${this.newId()}`,
        applicationId: this.applicationId,
        commandId: String(command.id),
        userId,
        botId: this.botUserId,
        channelId,
        subcommand,
        options,
      }),
    );
  }

  /** Replays an interaction exactly as first delivered (same id and token), as after a resume. */
  redeliver(payload: Record<string, unknown>): InteractionRecord {
    return this.interact(payload);
  }

  /** The user presses the button with this custom id on a DM message the bot sent them. */
  pressButton(userId: string, messageId: string, customId: string, extra: { id?: string } = {}): InteractionRecord {
    const message = this.dmMessage(userId, messageId);
    const id = extra.id ?? this.newId();
    this.componentMessages.set(id, message);
    const base = { id, token: `token-${this.newId()}`, applicationId: this.applicationId, userId, botId: this.botUserId, message, customId };
    return this.interact(buttonInteraction(base));
  }

  /**
   * A crafted button interaction: `userId` sends `customId` from a message in their own DM, as a
   * modified client could for a button they were never shown (e.g. another client's check-in).
   */
  pressCrafted(userId: string, customId: string): InteractionRecord {
    const message = this.makeMessage(this.dmChannels.get(userId) ?? this.newId(), {}, []);
    const id = this.newId();
    this.componentMessages.set(id, message);
    const base = { id, token: `token-${this.newId()}`, applicationId: this.applicationId, userId, botId: this.botUserId, message, customId };
    return this.interact(buttonInteraction(base));
  }

  /** The user submits a modal opened from a DM message; `customId` is the modal's custom id. */
  submitModal(userId: string, messageId: string | null, customId: string, inputs: Record<string, string>): InteractionRecord {
    const message = messageId ? this.dmMessage(userId, messageId) : this.makeMessage(this.dmChannels.get(userId) ?? this.newId(), {}, []);
    const id = this.newId();
    if (messageId) this.componentMessages.set(id, message);
    const base = { id, token: `token-${this.newId()}`, applicationId: this.applicationId, userId, botId: this.botUserId, message, customId };
    return this.interact(modalSubmitInteraction({ ...base, inputs }));
  }

  private dmMessage(userId: string, messageId: string): FakeMessage {
    const message = this.messagesTo(userId).find((m) => m.id === messageId);
    if (!message) throw new Error(`no message ${messageId} in the DM with ${userId}`);
    return message;
  }

  /** How many times each interaction id was dispatched. */
  readonly dispatchCounts = new Map<string, number>();

  /** Every interaction payload dispatched so far, by id, for redelivery. */
  readonly payloads = new Map<string, Record<string, unknown>>();

  /** Closes every gateway connection with a resumable close code, as Discord does on restarts. */
  dropConnections(code = 4000): void {
    for (const socket of this.sockets) socket.close(code, "Unknown error");
  }

  get connectedClients(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async listen(): Promise<void> {
    this.wss = new WebSocketServer({ noServer: true });
    this.wss.on("connection", (socket) => this.onGatewayConnection(socket));
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/gateway")) return socket.destroy();
      this.wss?.handleUpgrade(req, socket, head, (ws) => this.wss?.emit("connection", ws, req));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  // ---- gateway -------------------------------------------------------------------------------

  private send(socket: WebSocket, payload: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  }

  private onGatewayConnection(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    this.send(socket, { op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null });
    socket.on("message", (raw) => {
      const packet = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> | null };
      if (packet.op === 1) this.send(socket, { op: 11, d: null, s: null, t: null });
      if (packet.op === 2) this.onIdentify(socket, packet.d ?? {});
      if (packet.op === 6) {
        this.resumes.push(String(packet.d?.session_id ?? ""));
        const seen = Number(packet.d?.seq ?? 0);
        for (const missed of this.sent.filter((p) => p.s > seen)) this.send(socket, missed);
        this.send(socket, { op: 0, t: "RESUMED", s: ++this.sequence, d: {} });
      }
    });
  }

  private onIdentify(socket: WebSocket, identify: Record<string, unknown>): void {
    this.identifies.push({ intents: identify.intents, shard: identify.shard });
    if (identify.token !== this.token) {
      socket.close(4004, "Authentication failed.");
      return;
    }
    this.send(socket, {
      op: 0,
      t: "READY",
      s: ++this.sequence,
      d: {
        v: 10,
        user: { ...apiUser(this.botUserId, true), verified: true, mfa_enabled: false, flags: 0 },
        guilds: this.guilds.map((guild) => ({ id: guild.id, unavailable: true })),
        session_id: `session-${this.newId()}`,
        resume_gateway_url: this.gatewayUrl,
        shard: [0, 1],
        application: { id: this.applicationId, flags: 0 },
        private_channels: [],
        presences: [],
        relationships: [],
        guild_join_requests: [],
        user_settings: {},
      },
    });
    for (const guild of this.guilds) this.send(socket, { op: 0, t: "GUILD_CREATE", s: ++this.sequence, d: this.guildPayload(guild) });
  }

  private guildPayload(guild: { id: string; name: string }): Record<string, unknown> {
    const role = (id: string, name: string, permissions: string, position: number) => ({
      id, name, color: 0, colors: { primary_color: 0, secondary_color: null, tertiary_color: null }, hoist: false,
      icon: null, unicode_emoji: null, position, permissions, managed: false, mentionable: false, flags: 0,
    });
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: this.ownerId,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      preferred_locale: "en-US",
      features: [],
      roles: this.apiRoles(guild.id, role),
      emojis: [],
      stickers: [],
      members: [apiMember({ userId: this.botUserId })],
      channels: [{ id: this.newId(), type: 0, name: "general", position: 0, guild_id: guild.id, permission_overwrites: [] }],
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      member_count: this.membersOf(guild.id).size + 1,
      large: false,
      unavailable: false,
      joined_at: "2024-01-01T00:00:00.000Z",
    };
  }

  /**
   * A "Managers" role with Manage Server. A member added with Manage Server (or Administrator) in
   * `permissions` holds it, so the roles REST reports agree with the permissions interactions carry.
   */
  get managerRoleId(): string {
    return this.managerRoleOf(this.guildId);
  }

  managerRoleOf(guildId: string): string {
    return `${guildId.slice(0, -1)}9`;
  }

  private apiRoles(guildId: string, role: (id: string, name: string, permissions: string, position: number) => Record<string, unknown>): Record<string, unknown>[] {
    return [
      role(guildId, "@everyone", "0", 0),
      ...this.roleIds.map((id, i) => role(id, `role${i}`, String(this.rolePermissions[id] ?? 0n), i + 1)),
      role(this.managerRoleOf(guildId), "Managers", String(ManageGuild), this.roleIds.length + 1),
    ];
  }

  /** The member as GET /guilds/{id}/members/{user} returns it: roles, no computed permissions. */
  private restMember(guildId: string, spec: MemberSpec): Record<string, unknown> {
    const manages = ((spec.permissions ?? 0n) & (ManageGuild | Administrator)) !== 0n;
    const { permissions: _computed, ...member } = apiMember(spec);
    return { ...member, roles: [...(spec.roles ?? []), ...(manages ? [this.managerRoleOf(guildId)] : [])] };
  }

  // ---- REST ----------------------------------------------------------------------------------

  private async readBody(req: IncomingMessage): Promise<{ body: unknown; files: string[] }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (raw.length === 0) return { body: null, files: [] };
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("multipart/form-data")) {
      const form = await new Request("http://fake.local/", { method: "POST", headers: { "content-type": type }, body: raw }).formData();
      const files: string[] = [];
      let body: unknown = null;
      for (const [key, value] of form.entries()) {
        if (key === "payload_json") body = JSON.parse(String(value));
        else if (typeof value !== "string") files.push(value.name);
      }
      return { body, files };
    }
    return { body: JSON.parse(raw.toString("utf8")), files: [] };
  }

  private reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, code: number, message: string): void {
    this.reply(res, status, { message, code });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake.local");
    const method = req.method ?? "GET";
    const { body, files } = await this.readBody(req);
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, "");
    this.calls.push({ method, path, query: url.search, body, files });

    const failure = this.failures.find((f) => f.method === method && f.path.test(path));
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      return this.reply(res, failure.status, failure.body, failure.headers);
    }

    const needsAuth = !ROUTE.callback.test(path) && !ROUTE.webhook.test(path) && !ROUTE.webhookMessage.test(path);
    if (needsAuth && req.headers.authorization !== `Bot ${this.token}`) return this.error(res, 401, 0, "401: Unauthorized");

    let match: RegExpExecArray | null;
    if (method === "GET" && ROUTE.gateway.test(path)) {
      return this.reply(res, 200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      });
    }
    if ((match = ROUTE.guildCommands.exec(path))) {
      const guildId = match[2] ?? "";
      if (method === "PUT") {
        const previous = this.commands.get(guildId) ?? [];
        const list = (body as Record<string, unknown>[]).map((command) => ({
          ...command,
          id: (previous.find((p) => p.name === command.name)?.id as string | undefined) ?? this.newId(),
          application_id: this.applicationId,
          guild_id: guildId,
          version: this.newId(),
          default_member_permissions: null,
        }));
        this.commands.set(guildId, list);
        return this.reply(res, 200, list);
      }
      return this.reply(res, 200, this.commands.get(guildId) ?? []);
    }
    if (ROUTE.globalCommands.test(path)) {
      if (method === "PUT") {
        const previous = this.globalCommands;
        this.globalCommands = (body as Record<string, unknown>[]).map((command) => ({
          ...command,
          id: (previous.find((p) => p.name === command.name)?.id as string | undefined) ?? this.newId(),
          application_id: this.applicationId,
          version: this.newId(),
          default_member_permissions: null,
        }));
      }
      return this.reply(res, 200, this.globalCommands);
    }
    if (method === "POST" && ROUTE.dmChannel.test(path)) {
      const recipient = String((body as { recipient_id?: unknown }).recipient_id ?? "");
      if (!this.knownUsers.has(recipient)) return this.error(res, 400, 50033, "Invalid Recipient(s)");
      let channelId = this.dmChannels.get(recipient);
      if (!channelId) {
        channelId = this.newId();
        this.dmChannels.set(recipient, channelId);
        this.messages.set(channelId, []);
      }
      return this.reply(res, 200, { id: channelId, type: 1, flags: 0, last_message_id: null, recipients: [apiUser(recipient)] });
    }
    if ((match = ROUTE.messages.exec(path)) && method === "POST") {
      const channel = this.messages.get(match[1] ?? "");
      if (!channel) return this.error(res, 404, 10003, "Unknown Channel");
      const message = this.makeMessage(match[1] ?? "", body as Record<string, unknown>, files);
      channel.push(message);
      return this.reply(res, 200, message);
    }
    if ((match = ROUTE.message.exec(path))) {
      const message = this.findMessage(match[1] ?? "", match[2] ?? "");
      if (!message || message.deleted) return this.error(res, 404, 10008, "Unknown Message");
      if (method === "DELETE") {
        message.deleted = true;
        return this.reply(res, 204);
      }
      this.applyEdit(message, body as Record<string, unknown>);
      return this.reply(res, 200, message);
    }
    if ((match = ROUTE.member.exec(path)) && method === "GET") {
      const guildId = match[1] ?? "";
      if (!this.guildMembers.has(guildId)) return this.error(res, 404, 10004, "Unknown Guild");
      const member = this.membersOf(guildId).get(match[2] ?? "");
      if (!member) return this.error(res, 404, 10007, "Unknown Member");
      return this.reply(res, 200, this.restMember(guildId, member));
    }
    if ((match = ROUTE.roles.exec(path)) && method === "GET") {
      const guildId = match[1] ?? "";
      if (!this.guildMembers.has(guildId)) return this.error(res, 404, 10004, "Unknown Guild");
      return this.reply(res, 200, this.apiRoles(guildId, (id, name, permissions, position) => ({ id, name, permissions, position, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 })));
    }
    if ((match = ROUTE.callback.exec(path)) && method === "POST") return this.onCallback(res, match[1] ?? "", body as Record<string, unknown>);
    if ((match = ROUTE.webhookMessage.exec(path))) return this.onWebhookMessage(res, method, match[2] ?? "", match[3] ?? "", body as Record<string, unknown>);
    if ((match = ROUTE.webhook.exec(path)) && method === "POST") {
      const record = this.byToken(match[2] ?? "");
      if (!record) return this.error(res, 404, 10015, "Unknown Webhook");
      const message = this.makeMessage("0", body as Record<string, unknown>, files);
      record.followUps.push(message);
      return this.reply(res, 200, message);
    }
    return this.error(res, 404, 0, `404: Not Found (${method} ${path})`);
  }

  private byToken(token: string): InteractionRecord | undefined {
    return [...this.interactions.values()].find((record) => record.token === token);
  }

  private onCallback(res: ServerResponse, interactionId: string, body: Record<string, unknown>): void {
    const record = this.interactions.get(interactionId);
    if (!record) return this.error(res, 404, 10062, "Unknown interaction");
    if (this.rejectRepeatedAcks && record.callbacks.length > 0) {
      return this.error(res, 400, 40060, "Interaction has already been acknowledged.");
    }
    const type = Number(body.type);
    const data = body.data as Record<string, unknown> | undefined;
    record.callbacks.push({ type, ...(data ? { data } : {}) });
    if (type === 6 || type === 7) {
      const payloadMessage = this.lastPayloadMessage(interactionId);
      record.original = payloadMessage ?? null;
      record.originalIsComponentMessage = Boolean(payloadMessage);
      if (type === 7 && record.original && data) this.applyEdit(record.original, data);
    } else if (type === 4 || type === 5) {
      record.original = this.makeMessage("0", data ?? {}, []);
      record.originalIsComponentMessage = false;
    }
    return this.reply(res, 204);
  }

  /** The stored DM message a component interaction was dispatched for. */
  private lastPayloadMessage(interactionId: string): FakeMessage | undefined {
    return this.componentMessages.get(interactionId);
  }

  /** Interaction id → DM message it was pressed on (set by tests' interact helpers). */
  readonly componentMessages = new Map<string, FakeMessage>();

  private onWebhookMessage(res: ServerResponse, method: string, token: string, messageId: string, body: Record<string, unknown>): void {
    const record = this.byToken(token);
    if (!record) return this.error(res, 404, 10015, "Unknown Webhook");
    const target = messageId === "@original" ? record.original : record.followUps.find((m) => m.id === messageId);
    if (!target) return this.error(res, 404, 10008, "Unknown Message");
    if (method === "DELETE") {
      target.deleted = true;
      return this.reply(res, 204);
    }
    if (method === "PATCH") this.applyEdit(target, body);
    return this.reply(res, 200, target);
  }

  private makeMessage(channelId: string, body: Record<string, unknown>, files: string[]): FakeMessage {
    return {
      id: this.newId(),
      channel_id: channelId,
      type: 0,
      content: typeof body.content === "string" ? body.content : "",
      embeds: (body.embeds as FakeMessage["embeds"] | undefined) ?? [],
      components: (body.components as FakeMessage["components"] | undefined) ?? [],
      attachments: files.map((filename) => ({ id: this.newId(), filename })),
      author: apiUser(this.botUserId, true),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: typeof body.flags === "number" ? body.flags : 0,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
    };
  }

  private applyEdit(message: FakeMessage, body: Record<string, unknown>): void {
    if ("content" in body) message.content = typeof body.content === "string" ? body.content : "";
    if ("embeds" in body) message.embeds = (body.embeds as FakeMessage["embeds"] | null) ?? [];
    if ("components" in body) message.components = (body.components as FakeMessage["components"] | null) ?? [];
    message.edited_timestamp = new Date().toISOString();
  }
}
