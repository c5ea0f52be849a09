// Maps Web API failures to SendResult values. Nothing here throws: the engine decides
// whether to reschedule (retryable), give up (permanent) or tell an admin.

import type { SendResult } from "../../src/ports/chat-platform.ts";
import { SlackAdapterError } from "./errors.ts";

type Failure = Extract<SendResult, { ok: false }>;

/** Errors that mean the person cannot be reached now or later: recorded, never retried. */
export const PERMANENT_USER_ERRORS = new Set([
  "user_not_found",
  "users_not_found",
  "account_inactive",
  "user_disabled",
  "user_not_visible",
  "cannot_dm_bot",
  "user_is_bot",
  "user_is_restricted",
  "user_is_ultra_restricted",
  "invalid_users",
  "no_user",
  "messages_tab_disabled",
  "is_archived",
]);

/** Slack-side hiccups worth another attempt later. */
const RETRYABLE_PLATFORM_ERRORS = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "team_added_to_org"]);

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
    return { ok: false, code, retryable: true, retryAfterMs: Math.max(0, seconds) * 1000 };
  }
  if (PERMANENT_USER_ERRORS.has(code)) return { ok: false, code, retryable: false, permanent: true };
  if (shape.code === HTTP_ERROR || shape.code === REQUEST_ERROR || RETRYABLE_PLATFORM_ERRORS.has(code)) {
    return { ok: false, code, retryable: true };
  }
  return { ok: false, code, retryable: false };
}
