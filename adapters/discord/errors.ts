// Named errors of the Discord adapter. Expected platform failures are returned as SendResult
// values; these are thrown only for misconfiguration, which must stop start-up.

import { CodedError } from "../../src/ports/errors.ts";
import type { ErrorCode } from "../../src/ports/errors.ts";

/** Base error of this adapter: a stable `code` for callers and the original `cause` for operators. */
export class DiscordAdapterError extends CodedError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "DiscordAdapterError";
  }
}

/** A required setting (token, guild ids) is missing or malformed. Names the variable. */
export class DiscordConfigError extends DiscordAdapterError {
  readonly variable: string;
  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super("discord_config", message, options);
    this.name = "DiscordConfigError";
    this.variable = variable;
  }
}

/** Registering the slash command failed at start-up (in a guild, or, with null, for the bot DM). */
export class DiscordRegistrationError extends DiscordAdapterError {
  constructor(guildId: string | null, options?: { cause?: unknown }) {
    super("discord_registration", guildId ? `Registering /checkin in guild ${guildId} failed` : "Registering /checkin for the bot DM failed", options);
    this.name = "DiscordRegistrationError";
  }
}
