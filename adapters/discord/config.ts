// Resolves adapter settings: an explicit option wins over the environment.

import { DiscordConfigError } from "./errors.ts";

export interface DiscordSettingsInput {
  token?: string;
  applicationId?: string;
  guildIds?: string[];
  adminRoleId?: string;
  apiUrl?: string;
}

export interface DiscordSettings {
  token: string;
  /** Null until READY tells us, when neither the option nor the variable set it. */
  applicationId: string | null;
  guildIds: string[];
  adminRoleId: string | null;
  /** REST base without the version, e.g. "https://discord.com/api". */
  apiUrl: string | null;
}

const SNOWFLAKE = /^\d{15,21}$/;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function resolveSettings(input: DiscordSettingsInput, env: NodeJS.ProcessEnv = process.env): DiscordSettings {
  const token = nonEmpty(input.token) ?? nonEmpty(env.DISCORD_TOKEN);
  if (!token) throw new DiscordConfigError("DISCORD_TOKEN", "DISCORD_TOKEN is not set: the Discord bot token is required");

  const guildIds = (input.guildIds ?? (env.DISCORD_GUILD_IDS ?? "").split(","))
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (guildIds.length === 0) {
    throw new DiscordConfigError("DISCORD_GUILD_IDS", "DISCORD_GUILD_IDS is not set: name at least one guild (server) id");
  }
  const badGuild = guildIds.find((id) => !SNOWFLAKE.test(id));
  if (badGuild !== undefined) {
    throw new DiscordConfigError("DISCORD_GUILD_IDS", "DISCORD_GUILD_IDS must be comma-separated numeric guild ids");
  }

  const applicationId = nonEmpty(input.applicationId) ?? nonEmpty(env.DISCORD_APPLICATION_ID) ?? null;
  if (applicationId !== null && !SNOWFLAKE.test(applicationId)) {
    throw new DiscordConfigError("DISCORD_APPLICATION_ID", "DISCORD_APPLICATION_ID must be a numeric application id");
  }
  const adminRoleId = nonEmpty(input.adminRoleId) ?? nonEmpty(env.DISCORD_ADMIN_ROLE_ID) ?? null;
  if (adminRoleId !== null && !SNOWFLAKE.test(adminRoleId)) {
    throw new DiscordConfigError("DISCORD_ADMIN_ROLE_ID", "DISCORD_ADMIN_ROLE_ID must be a numeric role id");
  }
  const apiUrl = nonEmpty(input.apiUrl) ?? nonEmpty(env.DISCORD_API_URL) ?? null;
  if (apiUrl !== null && !/^https?:\/\//.test(apiUrl)) {
    throw new DiscordConfigError("DISCORD_API_URL", "DISCORD_API_URL must be an http(s) URL such as https://discord.com/api");
  }
  return { token, applicationId, guildIds, adminRoleId, apiUrl: apiUrl?.replace(/\/+$/, "") ?? null };
}
