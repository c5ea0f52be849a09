// The Discord platform: a discord.js client (Guilds intent only) for interactions over the
// gateway, and REST for everything the bot sends. Slash command registration runs at start.

import { Client, Events, GatewayIntentBits, Routes } from "discord.js";
import type { ClientOptions } from "discord.js";
import type { ChatPlatform, FileView, MessageRef, OutboundView, PlatformRole, Recipient, SendResult } from "../../src/ports/chat-platform.ts";
import type { InboundPort } from "../../src/ports/inbound.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { checkinCommandDefinition, checkinDmCommandDefinition } from "./commands.ts";
import { resolveSettings } from "./config.ts";
import type { DiscordSettings } from "./config.ts";
import { DiscordAdapterError, DiscordRegistrationError } from "./errors.ts";
import { handleInteraction } from "./interactions.ts";
import { DiscordOutbound } from "./outbound.ts";
import { errorFields } from "./results.ts";
import { DiscordRoles, ROLE_CACHE_MS } from "./roles.ts";
import { DEFAULT_ENGINE_OPTIONS } from "../../src/core/context.ts";

export { DiscordAdapterError, DiscordConfigError, DiscordRegistrationError } from "./errors.ts";

export interface DiscordAdapterOptions {
  /** Where interactions go. */
  inbound: InboundPort;
  logger: Logger;
  /** Bot token; defaults to DISCORD_TOKEN. Required. */
  token?: string;
  /** Application id; defaults to DISCORD_APPLICATION_ID, then to the id READY reports. */
  applicationId?: string;
  /** Guilds to register /checkin in; defaults to DISCORD_GUILD_IDS (comma-separated). Required. */
  guildIds?: string[];
  /** Members with this role count as admins, besides Manage Server; defaults to DISCORD_ADMIN_ROLE_ID. */
  adminRoleId?: string;
  /** REST base such as https://discord.com/api (a shared rate-limit proxy); defaults to DISCORD_API_URL. */
  apiUrl?: string;
  /** Extra discord.js options (tests, proxies). Intents and rate-limit rejection are fixed here. */
  clientOptions?: Partial<ClientOptions>;
  /** How long start() waits for the gateway to become ready. */
  readyTimeoutMs?: number;
  /** Called after an interaction was fully answered (or failed); for metrics and tests. */
  onInteractionSettled?: (interactionId: string) => void;
  /**
   * The engine's longest comment (EngineOptions.commentMaxLength). The comment modal must open
   * before the engine can be asked, so the adapter knows the limit itself, whichever process sent
   * the prompt. Default: the engine's default.
   */
  commentMaxLength?: number;
  /** How long currentRole reuses a lookup (default 30 s; 0 asks Discord every time). */
  roleCacheMs?: number;
  /** Environment to read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface DiscordPlatform extends ChatPlatform {
  readonly name: "discord";
  /** The underlying discord.js client, for diagnostics. */
  readonly client: Client;
  readonly settings: DiscordSettings;
}

export function createDiscordAdapter(options: DiscordAdapterOptions): DiscordPlatform {
  const settings = resolveSettings(options, options.env ?? process.env);
  const logger = options.logger.child({ platform: "discord" });
  const { rest: restOptions, ...otherClientOptions } = options.clientOptions ?? {};
  const client = new Client({
    ...otherClientOptions,
    // Interactions reach the bot without any intent; Guilds keeps guild and role caches for admin
    // checks. No privileged intent (members, presence, message content) is needed.
    intents: [GatewayIntentBits.Guilds],
    rest: {
      ...restOptions,
      ...(settings.apiUrl ? { api: settings.apiUrl } : {}),
      // A 429 comes back at once as a RateLimitError, so a claim is rescheduled instead of blocked.
      rejectOnRateLimit: () => true,
    },
  });
  client.rest.setToken(settings.token);
  const outbound = new DiscordOutbound(client.rest, logger);
  const roles = new DiscordRoles(client, client.rest, settings.adminRoleId, options.roleCacheMs ?? ROLE_CACHE_MS, logger);
  const commentMaxLength = options.commentMaxLength ?? DEFAULT_ENGINE_OPTIONS.commentMaxLength;
  const deps = { inbound: options.inbound, logger, settings, rest: client.rest, commentModals: outbound.commentModals, commentMaxLength };
  let started = false;
  let stopped = false;

  client.on(Events.InteractionCreate, (interaction) => {
    void handleInteraction(deps, interaction).finally(() => options.onInteractionSettled?.(interaction.id));
  });
  client.on(Events.Error, (error) => logger.error(errorFields(error), "discord client error"));
  client.on(Events.ShardDisconnect, (_event, shardId) => logger.warn({ shardId }, "discord gateway disconnected"));
  client.on(Events.ShardResume, (shardId) => logger.info({ shardId }, "discord gateway resumed"));

  async function registerCommands(): Promise<void> {
    const applicationId = settings.applicationId ?? client.application?.id;
    if (!applicationId) throw new DiscordAdapterError("discord_application_unknown", "Set DISCORD_APPLICATION_ID: READY did not name the application");
    const body = [checkinCommandDefinition()];
    for (const guildId of settings.guildIds) {
      try {
        await client.rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body });
        logger.info({ guildId }, "discord /checkin registered");
      } catch (error) {
        logger.error({ guildId, ...errorFields(error) }, "discord /checkin registration failed");
        throw new DiscordRegistrationError(guildId, { cause: error });
      }
    }
    // The same command in the bot DM, where check-ins arrive: a global command allowed only there.
    try {
      await client.rest.put(Routes.applicationCommands(applicationId), { body: [checkinDmCommandDefinition()] });
      logger.info({}, "discord /checkin registered for the bot DM");
    } catch (error) {
      logger.error(errorFields(error), "discord /checkin registration for the bot DM failed");
      throw new DiscordRegistrationError(null, { cause: error });
    }
  }

  function waitUntilReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new DiscordAdapterError("discord_ready_timeout", "Discord gateway not ready in time")), timeoutMs);
      client.once(Events.ClientReady, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  return {
    name: "discord",
    client,
    settings,
    async start() {
      if (stopped) throw new DiscordAdapterError("discord_stopped", "This Discord adapter was stopped; create a new one");
      if (started) return;
      started = true;
      const ready = waitUntilReady(options.readyTimeoutMs ?? 30_000);
      try {
        await client.login(settings.token);
        await ready;
      } catch (error) {
        started = false;
        ready.catch(() => undefined);
        await client.destroy();
        if (error instanceof DiscordAdapterError) throw error;
        throw new DiscordAdapterError("discord_login_failed", "Could not connect to the Discord gateway", { cause: error });
      }
      await registerCommands();
      logger.info({ guilds: settings.guildIds.length, applicationId: client.application?.id }, "discord adapter started");
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      started = false;
      await client.destroy();
      logger.info({}, "discord adapter stopped");
    },
    sendDirect: (to: Recipient, view: OutboundView): Promise<SendResult> => outbound.sendDirect(to, view),
    update: (to: Recipient, ref: MessageRef, view: OutboundView): Promise<SendResult> => outbound.update(to, ref, view),
    delete: (to: Recipient, ref: MessageRef): Promise<SendResult> => outbound.delete(to, ref),
    sendFile: (to: Recipient, file: FileView): Promise<SendResult> => outbound.sendFile(to, file),
    checkReachable: (to: Recipient) => outbound.checkReachable(to),
    currentRole: (who: Recipient): Promise<PlatformRole> => roles.roleOf(who.workspaceId, who.userId),
    workspaceName: async (workspaceId: string): Promise<string | null> => client.guilds.cache.get(workspaceId)?.name ?? null,
    listAdmins: (guildId: string): Promise<string[]> => roles.listAdmins(guildId),
  };
}
