// The Discord adapter wired to the fake Discord: a rig for the adapter's own tests and the
// AdapterHarness the shared contract suite uses.

import { createHash } from "node:crypto";
import { parseCommand } from "../../../src/core/commands/grammar.ts";
import type { Command } from "../../../src/core/commands/grammar.ts";
import type { InboundPort } from "../../../src/ports/inbound.ts";
import type { Logger } from "../../../src/ports/logger.ts";
import { silentLogger } from "../../../src/ports/logger.ts";
import type { MessageRef } from "../../../src/ports/chat-platform.ts";
import { createDiscordAdapter } from "../../../adapters/discord/index.ts";
import type { DiscordPlatform } from "../../../adapters/discord/index.ts";
import { SUBCOMMANDS } from "../../../adapters/discord/commands.ts";
import { COMMENT_INPUT_ID, actionIdOf } from "../../../adapters/discord/render.ts";
import { commentCheckInId } from "../../../src/ports/action-ids.ts";
import { FakeDiscord } from "../../support/fake-discord.ts";
import type { FakeDiscordOptions, FakeMessage, InteractionRecord } from "../../support/fake-discord.ts";
import { ManageGuild, MemberPermissions } from "../../support/fake-discord-payloads.ts";
import type { CommandOption } from "../../support/fake-discord-payloads.ts";
import type { AdapterHarness, HarnessFactory, ObservedMessage } from "../../contract/harness.ts";
import { createEngineFixture } from "../../support/engine-fixture.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";

export interface DiscordRig {
  fake: FakeDiscord;
  platform: DiscordPlatform;
  /** Resolves once the adapter has answered every delivery of this interaction so far. */
  settled(record: InteractionRecord, timeoutMs?: number): Promise<InteractionRecord>;
  close(): Promise<void>;
}

export interface RigOptions {
  fake?: FakeDiscordOptions;
  adminRoleId?: string;
  logger?: Logger;
  /** How long the adapter reuses a role lookup (default: the adapter's). */
  roleCacheMs?: number;
  /** Reuse a running fake (e.g. to restart the adapter against the same Discord). */
  existingFake?: FakeDiscord;
}

/**
 * Puts the real engine behind a rig: an engine fixture on the rig's guild (handed to `late`, the
 * rig's inbound port), the admin, client and therapist added as guild members, and the adapter
 * started. Returns the fixture.
 */
export async function attachEngine(rig: DiscordRig, late: { engine: InboundPort | null }, people: { admin: string; client: string; therapist: string }): Promise<EngineFixture> {
  const fixture = await createEngineFixture({ platform: rig.platform, workspaceId: rig.fake.guildId, start: "2026-03-02T08:00:00Z" });
  late.engine = fixture.engine;
  rig.fake.addMember({ userId: people.admin, permissions: MemberPermissions | ManageGuild });
  rig.fake.addMember({ userId: people.client });
  rig.fake.addMember({ userId: people.therapist });
  await rig.platform.start();
  return fixture;
}

export async function startDiscordRig(inbound: InboundPort, options: RigOptions = {}): Promise<DiscordRig> {
  const fake = options.existingFake ?? (await FakeDiscord.start(options.fake));
  const settledCounts = new Map<string, number>();
  // Deliveries made before this adapter existed (a restart against the same fake) are not its to settle.
  const dispatchedBefore = new Map(fake.dispatchCounts);
  const waiters = new Set<() => void>();
  const platform = createDiscordAdapter({
    inbound,
    logger: options.logger ?? silentLogger,
    token: fake.token,
    applicationId: fake.applicationId,
    guildIds: fake.guilds.map((guild) => guild.id),
    apiUrl: fake.apiUrl,
    ...(options.adminRoleId ? { adminRoleId: options.adminRoleId } : {}),
    ...(options.roleCacheMs !== undefined ? { roleCacheMs: options.roleCacheMs } : {}),
    env: {},
    readyTimeoutMs: 10_000,
    onInteractionSettled: (id) => {
      settledCounts.set(id, (settledCounts.get(id) ?? 0) + 1);
      for (const wake of waiters) wake();
    },
  });
  const settled = (record: InteractionRecord, timeoutMs = 5000): Promise<InteractionRecord> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const dispatched = (fake.dispatchCounts.get(record.id) ?? 1) - (dispatchedBefore.get(record.id) ?? 0);
        if ((settledCounts.get(record.id) ?? 0) < dispatched) return false;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(record);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`interaction ${record.id} not settled within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(wake);
      check();
    });
  return {
    fake,
    platform,
    settled,
    async close() {
      await platform.stop();
      if (!options.existingFake) await fake.close();
    },
  };
}

// ---- contract harness --------------------------------------------------------------------------

/** Discord ids are snowflakes; the suite's readable ids are mapped to stable numeric ones. */
function snowflakeFor(userId: string): string {
  if (/^\d{15,21}$/.test(userId)) return userId;
  const digits = BigInt(`0x${createHash("sha256").update(userId).digest("hex").slice(0, 14)}`).toString().padStart(17, "0");
  return `5${digits.slice(0, 17)}`;
}

function observed(message: FakeMessage): ObservedMessage {
  const text = [
    message.content,
    ...message.embeds.flatMap((embed) => [embed.title, embed.description, ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]), embed.footer?.text]),
    ...message.components.flatMap((row) => row.components.map((component) => component.label)),
  ]
    .filter((part): part is string => typeof part === "string" && part.length > 0)
    .join("\n");
  const actionIds = message.components.flatMap((row) =>
    row.components.flatMap((component) => (component.custom_id ? [actionIdOf(component.custom_id)] : [])),
  );
  const links = message.components.flatMap((row) => row.components.flatMap((component) => (typeof (component as unknown as { url?: unknown }).url === "string" ? [(component as unknown as { url: string }).url] : [])));
  return { ref: { channelId: message.channel_id, messageId: message.id }, text, actionIds, links, deleted: Boolean(message.deleted) };
}

/** Typed options for a parsed command, as a Discord user would fill them in. */
function optionsFor(command: Command): CommandOption[] {
  const user = (name: string, ref: { userId: string } | undefined): CommandOption[] =>
    ref ? [{ name, type: "user", value: ref.userId }] : [];
  const text = (name: string, value: string | undefined): CommandOption[] => (value ? [{ name, type: "string", value }] : []);
  switch (command.name) {
    case "enroll":
      return [
        ...user("client", command.client),
        ...user("therapist", command.therapist),
        ...text("schedule", command.schedule),
        ...text("tz", command.timeZone),
        ...text("delay", command.delay),
        ...text("locale", command.locale),
        ...text("delivery", command.delivery),
      ];
    case "schedule":
      return [...user("client", command.client), ...text("schedule", command.schedule)];
    case "pause":
      return [...user("client", command.client), ...text("until", command.until)];
    case "resume":
      return user("client", command.client);
    case "skip":
      return [...user("client", command.client), ...text("date", command.date)];
    case "settings":
      return [...text("key", command.key), ...text("value", command.value)];
    case "help":
      return text("topic", command.topic);
    case "end":
    case "now":
    case "trend":
    case "export":
    case "erase":
    case "audit":
      return user("client", command.client);
    default:
      return [];
  }
}

/** Input the grammar rejects is still typed into the nearest options, so the core sees it. */
function looseOptionsFor(subcommand: string, tokens: string[]): CommandOption[] {
  const spec = SUBCOMMANDS.find((sub) => sub.name === subcommand);
  if (!spec) return [];
  const users = spec.options.filter((o) => o.kind === "user");
  const texts = spec.options.filter((o) => o.kind !== "user");
  const options: CommandOption[] = [];
  const rest: string[] = [];
  for (const token of tokens) {
    const mention = /^<@!?(\d+)>$/.exec(token);
    const slot = mention ? users.shift() : undefined;
    if (mention && slot) options.push({ name: slot.name, type: "user", value: mention[1] ?? "" });
    else rest.push(token);
  }
  const first = texts[0];
  if (first && rest.length > 0) options.push({ name: first.name, type: "string", value: rest.join(" ") });
  return options;
}

function replyText(record: InteractionRecord): string | null {
  const parts = [record.originalIsComponentMessage || record.original?.deleted ? null : record.original?.content, ...record.followUps.map((m) => m.content)];
  const text = parts.filter((part): part is string => typeof part === "string" && part.length > 0).join("\n");
  return text.length > 0 ? text : null;
}

export const makeDiscordHarness: HarnessFactory = async (inbound) => {
  const rig = await startDiscordRig(inbound);
  const { fake } = rig;
  const ensureMember = (userId: string, admin?: boolean): string => {
    const id = snowflakeFor(userId);
    const existing = fake.member(id);
    const permissions = admin === undefined ? (existing?.permissions ?? MemberPermissions) : admin ? MemberPermissions | ManageGuild : MemberPermissions;
    fake.addMember({ userId: id, roles: existing?.roles ?? [], permissions });
    return id;
  };
  const messageOf = (userId: string, ref: MessageRef): FakeMessage | undefined =>
    fake.messagesTo(snowflakeFor(userId)).find((m) => m.id === ref.messageId);

  const harness: AdapterHarness = {
    platform: rig.platform,
    workspaceId: fake.guildId,
    async runCommand(userId, text, opts) {
      const actor = ensureMember(userId, opts?.admin ?? false);
      const normalised = text.replace(/<@!?([^>\s|]+)(\|[^>]*)?>/g, (_m, id: string) => `<@${ensureMember(id)}>`);
      const parsed = parseCommand(normalised);
      const tokens = normalised.replace(/^\/?checkin\s+/i, "").trim().split(/\s+/);
      const subcommand = parsed.ok ? parsed.command.name : (tokens[0] ?? "help").toLowerCase();
      // digest's one text option takes the words as typed (the parsed form has a weekday number).
      const options = parsed.ok && subcommand !== "digest" ? optionsFor(parsed.command) : looseOptionsFor(subcommand, tokens.slice(1));
      const record = await rig.settled(fake.slashCommand(actor, subcommand, options));
      return replyText(record) ?? "";
    },
    async pressButton(userId, ref, actionId) {
      const actor = ensureMember(userId);
      const message = messageOf(userId, ref);
      if (!message) {
        // A button on someone else's DM cannot be clicked; a crafted interaction carries its id.
        const theirs = fake.allMessages().find((m) => m.id === ref.messageId);
        const custom = theirs?.components.flatMap((row) => row.components).find((c) => c.custom_id && actionIdOf(c.custom_id) === actionId)?.custom_id;
        return replyText(await rig.settled(fake.pressCrafted(actor, custom ?? actionId)));
      }
      const button = message?.components.flatMap((row) => row.components).find((c) => c.custom_id && actionIdOf(c.custom_id) === actionId);
      const record = await rig.settled(fake.pressButton(actor, ref.messageId, button?.custom_id ?? actionId));
      return replyText(record);
    },
    async submitComment(userId, checkInId, text) {
      const actor = ensureMember(userId);
      const withButton = fake
        .messagesTo(actor)
        .flatMap((message) => message.components.flatMap((row) => row.components.map((c) => ({ message, customId: c.custom_id ?? "" }))))
        .find(({ customId }) => commentCheckInId(actionIdOf(customId)) === checkInId);
      let modalId = `ci:${checkInId}:comment`;
      if (withButton) {
        const press = await rig.settled(fake.pressButton(actor, withButton.message.id, withButton.customId));
        const modal = press.callbacks.find((callback) => callback.type === 9);
        if (!modal) return replyText(press);
        modalId = String(modal.data?.custom_id ?? modalId);
      }
      const record = await rig.settled(fake.submitModal(actor, withButton?.message.id ?? null, modalId, { [COMMENT_INPUT_ID]: text }));
      return replyText(record);
    },
    messagesTo(userId) {
      return fake.messagesTo(snowflakeFor(userId)).map(observed);
    },
    recordedOutbound: () => JSON.stringify({ calls: fake.calls, interactions: [...fake.interactions.values()] }),
    async close() {
      await rig.close();
    },
  };
  return harness;
};
