// Maps Web API failures to SendResult values in the port's one vocabulary. Nothing here throws:
// the engine decides from the class whether to mark the person, tell an admin or retry.

import type { SendFailure, SendResult } from "../../src/ports/chat-platform.ts";
import { SlackAdapterError } from "./errors.ts";

type Failure = Extract<SendResult, { ok: false }>;

/**
 * The one place Slack error codes are classified. Only RECIPIENT_ERRORS say anything about the
 * person; the rest are the bot's own doing (token, scopes, app settings, payload) or passing trouble.
 */
export const RECIPIENT_ERRORS = new Set([
  "user_not_found",
  "users_not_found",
  "user_disabled",
  "user_not_visible",
  "cannot_dm_bot",
  "user_is_bot",
  "user_is_restricted",
  "user_is_ultra_restricted",
  "invalid_users",
  "no_user",
  "is_archived",
]);

/** The token, its scopes or the app's settings are wrong: an admin must act, the person is not at fault. */
const BOT_ERRORS = new Set([
  "not_authed",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "no_permission",
  "missing_scope",
  "not_allowed_token_type",
  "ekm_access_denied",
  "team_access_not_granted",
  "access_denied",
  "org_login_required",
  "messages_tab_disabled",
  "not_in_channel",
  "channel_not_found",
  "restricted_action",
  "app_missing_action_url",
]);

/** Slack-side hiccups worth another attempt later. */
const TRANSIENT_ERRORS = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org", "request_failed", "unexpected_error"]);

/** The vocabulary class of a Slack error code (see SendFailure in the port). */
export function classifySlackError(code: string): SendFailure {
  if (code === "rate_limited" || code === "ratelimited") return "rate_limited";
  if (RECIPIENT_ERRORS.has(code)) return "recipient_unreachable";
  if (BOT_ERRORS.has(code)) return "bot_misconfigured";
  if (TRANSIENT_ERRORS.has(code) || /^http_(5\d\d|undefined)$/.test(code)) return "transient";
  return "payload_rejected";
}

const RATE_LIMITED = "slack_webapi_rate_limited_error";
const PLATFORM_ERROR = "slack_webapi_platform_error";
const HTTP_ERROR = "slack_webapi_http_error";
const REQUEST_ERROR = "slack_webapi_request_error";

interface WebApiErrorShape {
  code?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown };
}

/** The Slack error code of a Web API failure, e.g. "user_not_found"; safe to log. */
export function slackErrorCode(error: unknown): string {
  const shape = (error ?? {}) as WebApiErrorShape;
  if (shape.code === PLATFORM_ERROR && typeof shape.data?.error === "string") return shape.data.error;
  if (shape.code === RATE_LIMITED) return "rate_limited";
  if (shape.code === HTTP_ERROR) return `http_${String(shape.statusCode)}`;
  if (shape.code === REQUEST_ERROR) return "request_failed";
  if (error instanceof SlackAdapterError) return error.code;
  return "unexpected_error";
}

export function toSendFailure(error: unknown): Failure {
  const shape = (error ?? {}) as WebApiErrorShape;
  const code = slackErrorCode(error);
  if (shape.code === RATE_LIMITED) {
    const seconds = typeof shape.retryAfter === "number" && Number.isFinite(shape.retryAfter) ? shape.retryAfter : 1;
    return { ok: false, code, failure: "rate_limited", retryAfterMs: Math.max(0, seconds) * 1000 };
  }
  if (shape.code === HTTP_ERROR || shape.code === REQUEST_ERROR) return { ok: false, code, failure: "transient" };
  return { ok: false, code, failure: classifySlackError(code) };
}
