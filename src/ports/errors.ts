// One error model for the whole application (config, store, security, start-up, adapters, CLIs).
// Every named error extends `CodedError`: a stable string `code` that callers branch on and
// operators search for, a message in plain English for the operator, and the original `cause`.
// Messages never carry secrets, comment text, scores, names or link tokens: only what an operator
// needs to fix the problem (a variable name, a migration name, a line number).
//
// Expected failures of a platform send are returned as values (`SendResult`), not thrown; these
// errors are for what must stop an operation or start-up.

/**
 * Every code an error of this application can carry, by area. A code is a contract: it is
 * printed by the CLIs and listed in docs/operations.md. Never rename or reuse one; add a new one.
 */
export const ERROR_CODES = [
  // configuration (ConfigError)
  "bad_config",
  // start-up (StartupError)
  "startup_key_required",
  "startup_no_platform",
  "startup_public_url_required",
  // encryption keys (KeyError)
  "bad_encryption_key",
  "encryption_key_missing",
  "encryption_key_unknown",
  "comment_format_unknown",
  // `npm run evaluate` input (HistoryInputError)
  "bad_history",
  // storage (StoreError)
  "bad_database_url",
  "sqlite_in_use",
  "migrations_missing",
  "migration_unknown",
  "migration_modified",
  "empty_answer",
  "answer_lost",
  "answer_contended",
  "no_atomic_unit",
  "alert_not_found",
  "corrupt_row",
  "reader_unavailable",
  "reader_failed",
  // Discord adapter (DiscordAdapterError)
  "discord_config",
  "discord_registration",
  "discord_application_unknown",
  "discord_ready_timeout",
  "discord_stopped",
  "discord_login_failed",
  // Slack adapter (SlackAdapterError)
  "slack_config_missing",
  "slack_config_invalid",
  "unexpected_response",
  "action_id_too_long",
  // action ids on buttons (ActionIdError, src/ports/action-ids.ts)
  "action_id_not_string",
  "action_id_over_limit",
  "action_id_unknown_kind",
  "action_id_bad_target",
  "action_id_bad_score",
  "action_id_bad_shape",
  // anything thrown that is not a CodedError, as normalised by `asCodedError`
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Base of every named error: a stable `code` and the original `cause`. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CodedError";
    this.code = code;
  }
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof CodedError;
}

/**
 * Normalises anything thrown into a `CodedError`. Something that is not one becomes code
 * `internal` with a fixed message and the original kept as `cause`, so its message (which may
 * hold data) is not printed by accident.
 */
export function asCodedError(error: unknown): CodedError {
  if (error instanceof CodedError) return error;
  return new CodedError("internal", "unexpected error", { cause: error });
}
