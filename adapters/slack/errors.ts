// Named errors of the Slack adapter. Expected platform failures are returned as SendResult
// values; these are thrown only for misconfiguration at start-up.

import { CodedError } from "../../src/ports/errors.ts";
import type { ErrorCode } from "../../src/ports/errors.ts";

/** Base error of this adapter; its `code` is stable and safe to log. */
export class SlackAdapterError extends CodedError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "SlackAdapterError";
  }
}

/** A required secret is missing from both the options and the environment. */
export class MissingSlackConfigError extends SlackAdapterError {
  readonly variable: string;
  constructor(variable: string) {
    super("slack_config_missing", `Slack adapter: ${variable} is not set (pass it as an option or set the environment variable).`);
    this.name = "MissingSlackConfigError";
    this.variable = variable;
  }
}

/** A configuration value is present but unusable. */
export class InvalidSlackConfigError extends SlackAdapterError {
  readonly variable: string;
  constructor(variable: string, cause?: unknown) {
    super("slack_config_invalid", `Slack adapter: ${variable} is not valid.`, { cause });
    this.name = "InvalidSlackConfigError";
    this.variable = variable;
  }
}
