// Named errors of the Discord adapter. Expected platform failures are returned as SendResult
// values; these are thrown only for misconfiguration, which must stop start-up.

/** Base error: a stable `code` for callers and the original `cause` for operators. */
export class DiscordAdapterError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DiscordAdapterError";
    this.code = code;
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

/** Registering the slash command failed at start-up. */
export class DiscordRegistrationError extends DiscordAdapterError {
  constructor(guildId: string, options?: { cause?: unknown }) {
    super("discord_registration", `Registering /checkin in guild ${guildId} failed`, options);
    this.name = "DiscordRegistrationError";
  }
}
