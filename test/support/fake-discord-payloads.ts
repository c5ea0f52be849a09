// Interaction payloads as Discord's gateway sends them (API v10), for the fake Discord.
// Shapes follow discord-api-types' APIInteraction; only fields discord.js reads are filled in.

import type { FakeMessage } from "./fake-discord.ts";

export const ManageGuild = 1n << 5n;
export const Administrator = 1n << 3n;
/** What an ordinary member usually has: view channels, send messages, read history, use commands. */
export const MemberPermissions = (1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 31n);

export function apiUser(id: string, bot = false): Record<string, unknown> {
  return { id, username: `user${id.slice(-4)}`, global_name: null, discriminator: "0", avatar: null, bot, public_flags: 0 };
}

export interface MemberSpec {
  userId: string;
  roles?: string[];
  permissions?: bigint;
}

export function apiMember(spec: MemberSpec, withUser = true): Record<string, unknown> {
  return {
    ...(withUser ? { user: apiUser(spec.userId) } : {}),
    roles: spec.roles ?? [],
    permissions: String(spec.permissions ?? MemberPermissions),
    joined_at: "2024-01-01T00:00:00.000Z",
    nick: null,
    avatar: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    premium_since: null,
    communication_disabled_until: null,
  };
}

interface Base {
  id: string;
  token: string;
  applicationId: string;
}

function common(base: Base, type: number): Record<string, unknown> {
  return {
    id: base.id,
    token: base.token,
    application_id: base.applicationId,
    type,
    version: 1,
    locale: "en-US",
    app_permissions: "0",
    entitlements: [],
    authorizing_integration_owners: { "0": "0" },
    attachment_size_limit: 10_485_760,
  };
}

function guildContext(guildId: string, channelId: string, member: MemberSpec): Record<string, unknown> {
  return {
    guild_id: guildId,
    guild_locale: "en-US",
    guild: { id: guildId, locale: "en-US", features: [] },
    channel_id: channelId,
    channel: { id: channelId, type: 0, guild_id: guildId, name: "general", position: 0, permissions: "0", flags: 0 },
    member: apiMember(member),
    context: 0,
  };
}

function dmContext(channelId: string, userId: string, botId: string): Record<string, unknown> {
  return {
    channel_id: channelId,
    channel: { id: channelId, type: 1, flags: 0, last_message_id: null, recipients: [apiUser(userId)] },
    user: apiUser(userId),
    context: 1,
    authorizing_integration_owners: { "0": "0", "1": botId },
  };
}

/** One submitted option: users are passed as ids, with `resolved` filled in by the builder. */
export interface CommandOption {
  name: string;
  type: "user" | "string";
  value: string;
  focused?: boolean;
}

const OPTION_TYPE = { user: 6, string: 3 } as const;

export interface SlashCommandSpec extends Base {
  guildId: string;
  channelId: string;
  commandId: string;
  member: MemberSpec;
  subcommand: string;
  options: CommandOption[];
  /** Members the user options point at (for `resolved`). */
  resolvedMembers?: MemberSpec[];
}

function commandData(spec: SlashCommandSpec): Record<string, unknown> {
  const users: Record<string, unknown> = {};
  const members: Record<string, unknown> = {};
  for (const option of spec.options) {
    if (option.type !== "user") continue;
    const member = spec.resolvedMembers?.find((m) => m.userId === option.value) ?? { userId: option.value };
    users[option.value] = apiUser(option.value);
    members[option.value] = apiMember(member, false);
  }
  return {
    id: spec.commandId,
    name: "checkin",
    type: 1,
    guild_id: spec.guildId,
    options: [
      {
        type: 1,
        name: spec.subcommand,
        options: spec.options.map((o) => ({ name: o.name, type: OPTION_TYPE[o.type], value: o.value, ...(o.focused ? { focused: true } : {}) })),
      },
    ],
    ...(Object.keys(users).length > 0 ? { resolved: { users, members } } : {}),
  };
}

export function slashCommandInteraction(spec: SlashCommandSpec): Record<string, unknown> {
  return { ...common(spec, 2), ...guildContext(spec.guildId, spec.channelId, spec.member), data: commandData(spec) };
}

export interface DmSlashCommandSpec extends Base {
  commandId: string;
  userId: string;
  botId: string;
  channelId: string;
  subcommand: string;
  options: CommandOption[];
}

/** `/checkin <subcommand>` typed in the bot DM (the global command): no guild, no member. */
export function dmSlashCommandInteraction(spec: DmSlashCommandSpec): Record<string, unknown> {
  const data = commandData({ ...spec, guildId: "", member: { userId: spec.userId } });
  const { guild_id: _none, ...withoutGuild } = data;
  return { ...common(spec, 2), ...dmContext(spec.channelId, spec.userId, spec.botId), data: withoutGuild };
}

export function autocompleteInteraction(spec: SlashCommandSpec): Record<string, unknown> {
  return { ...common(spec, 4), ...guildContext(spec.guildId, spec.channelId, spec.member), data: commandData(spec) };
}

export interface DmComponentSpec extends Base {
  userId: string;
  botId: string;
  message: FakeMessage;
  customId: string;
}

export function buttonInteraction(spec: DmComponentSpec): Record<string, unknown> {
  return {
    ...common(spec, 3),
    ...dmContext(spec.message.channel_id, spec.userId, spec.botId),
    message: spec.message,
    data: { custom_id: spec.customId, component_type: 2 },
  };
}

export interface ModalSubmitSpec extends DmComponentSpec {
  inputs: Record<string, string>;
}

export function modalSubmitInteraction(spec: ModalSubmitSpec): Record<string, unknown> {
  return {
    ...common(spec, 5),
    ...dmContext(spec.message.channel_id, spec.userId, spec.botId),
    message: spec.message,
    data: {
      custom_id: spec.customId,
      components: Object.entries(spec.inputs).map(([customId, value], index) => ({
        type: 18,
        id: index + 1,
        component: { type: 4, id: index + 100, custom_id: customId, value },
      })),
    },
  };
}
