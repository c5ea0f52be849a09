// Maps discord.js REST failures to SendResult values. Nothing here throws.

import { DiscordAPIError, HTTPError, RateLimitError } from "discord.js";
import type { SendResult } from "../../src/ports/chat-platform.ts";

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
} as const;

const PERMANENT: Record<number, string> = {
  [DiscordCode.CannotDmUser]: "cannot_dm",
  [DiscordCode.UnknownUser]: "unknown_user",
  [DiscordCode.UnknownMember]: "not_in_guild",
  [DiscordCode.UnknownChannel]: "unknown_channel",
  [DiscordCode.UnknownMessage]: "unknown_message",
  [DiscordCode.MissingAccess]: "missing_access",
  [DiscordCode.MissingPermissions]: "missing_permissions",
  [DiscordCode.InvalidFormBody]: "invalid_payload",
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
    return { ok: false, code: "rate_limited", retryable: true, retryAfterMs: Math.ceil(retryAfterMs) };
  }
  if (error instanceof DiscordAPIError) {
    const known = typeof error.code === "number" ? PERMANENT[error.code] : undefined;
    if (known) return { ok: false, code: known, retryable: false, permanent: true };
    if (error.status === 401) return { ok: false, code: "unauthorized", retryable: false, permanent: true };
    if (error.status === 403) return { ok: false, code: "forbidden", retryable: false, permanent: true };
    if (error.status === 404) return { ok: false, code: "not_found", retryable: false, permanent: true };
    if (error.status >= 500) return { ok: false, code: "platform_unavailable", retryable: true };
    return { ok: false, code: `discord_${error.code}`, retryable: false };
  }
  if (error instanceof HTTPError) {
    return error.status >= 500
      ? { ok: false, code: "platform_unavailable", retryable: true }
      : { ok: false, code: `http_${error.status}`, retryable: false };
  }
  return { ok: false, code: "network_error", retryable: true };
}
