// Maps discord.js REST failures to SendResult values. Nothing here throws.

import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import type { SendFailure, SendResult } from "../../src/ports/chat-platform.ts";

type Failure = Extract<SendResult, { ok: false }>;

/** Discord JSON error codes this adapter treats specially. */
export const DiscordCode = {
  UnknownChannel: 10003,
  UnknownMember: 10007,
  UnknownMessage: 10008,
  UnknownUser: 10013,
  MissingAccess: 50001,
  CannotDmUser: 50007,
  MissingPermissions: 50013,
  InvalidFormBody: 50035,
  AlreadyAcknowledged: 40060,
} as const;

/**
 * The one place Discord errors are classified. Only the first group says anything about the person;
 * the rest are the bot's own doing (token, permissions, payload) or passing trouble.
 */
const CLASSIFIED: Record<number, { code: string; failure: SendFailure }> = {
  [DiscordCode.CannotDmUser]: { code: "cannot_dm", failure: "recipient_unreachable" },
  [DiscordCode.UnknownUser]: { code: "unknown_user", failure: "recipient_unreachable" },
  [DiscordCode.UnknownMember]: { code: "not_in_guild", failure: "recipient_unreachable" },
  [DiscordCode.UnknownChannel]: { code: "unknown_channel", failure: "transient" },
  [DiscordCode.UnknownMessage]: { code: "unknown_message", failure: "payload_rejected" },
  [DiscordCode.MissingAccess]: { code: "missing_access", failure: "bot_misconfigured" },
  [DiscordCode.MissingPermissions]: { code: "missing_permissions", failure: "bot_misconfigured" },
  [DiscordCode.InvalidFormBody]: { code: "invalid_payload", failure: "payload_rejected" },
};

/** A short, payload-free description for logs. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof DiscordAPIError) return { discordCode: error.code, status: error.status };
  if (error instanceof RateLimitError) return { rateLimited: true, retryAfterMs: error.retryAfter, global: error.global };
  if (error instanceof HTTPError) return { status: error.status };
  if (error instanceof Error) return { error: error.name, errno: (error as NodeJS.ErrnoException).code };
  return { error: typeof error };
}

export function toFailure(error: unknown): Failure {
  if (error instanceof RateLimitError) {
    const retryAfterMs = Math.max(error.retryAfter, error.sublimitTimeout, error.timeToReset, 0) || 1000;
    return { ok: false, code: "rate_limited", failure: "rate_limited", retryAfterMs: Math.ceil(retryAfterMs) };
  }
  if (error instanceof DiscordAPIError) {
    const known = typeof error.code === "number" ? CLASSIFIED[error.code] : undefined;
    if (known) return { ok: false, ...known };
    if (error.status === 401) return { ok: false, code: "unauthorized", failure: "bot_misconfigured" };
    if (error.status === 403) return { ok: false, code: "forbidden", failure: "bot_misconfigured" };
    if (error.status === 404) return { ok: false, code: "not_found", failure: "bot_misconfigured" };
    if (error.status === 429) return { ok: false, code: "rate_limited", failure: "rate_limited", retryAfterMs: 1000 };
    if (error.status >= 500) return { ok: false, code: "platform_unavailable", failure: "transient" };
    return { ok: false, code: `discord_${error.code}`, failure: "payload_rejected" };
  }
  if (error instanceof HTTPError) {
    return error.status >= 500
      ? { ok: false, code: "platform_unavailable", failure: "transient" }
      : { ok: false, code: `http_${error.status}`, failure: "payload_rejected" };
  }
  return { ok: false, code: "network_error", failure: "transient" };
}
