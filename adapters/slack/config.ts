// Resolves adapter settings: an explicit option always wins over the environment.

import { InvalidSlackConfigError, MissingSlackConfigError } from "./errors.ts";

/** The settings a caller may pass; each one missing is read from the environment. */
export interface SlackSettingsInput {
  /** Bot token (xoxb-…). Default: SLACK_BOT_TOKEN. */
  botToken?: string;
  /** Signing secret for HTTP mode. Default: SLACK_SIGNING_SECRET. */
  signingSecret?: string;
  /** App-level token (xapp-…); when set, Socket Mode is used. Default: SLACK_APP_TOKEN. */
  appToken?: string;
  /** Web API base URL, e.g. https://slack-gov.com/api/. Default: SLACK_API_URL, else Slack's own. */
  apiUrl?: string;
  /** Extra admins besides workspace admins/owners. Default: SLACK_ADMIN_USER_IDS (comma-separated). */
  adminUserIds?: string[];
  /** HTTP port. Default: PORT, else 3000. 0 picks a free port (see receiverPort()). */
  port?: number;
}

export interface SlackSettings {
  botToken: string;
  /** Null in Socket Mode, where requests arrive over the app-token websocket instead. */
  signingSecret: string | null;
  appToken: string | null;
  apiUrl: string | null;
  adminUserIds: ReadonlySet<string>;
  port: number;
  mode: "http" | "socket";
}

const DEFAULT_PORT = 3000;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function resolveSlackSettings(input: SlackSettingsInput, env: NodeJS.ProcessEnv = process.env): SlackSettings {
  const botToken = nonEmpty(input.botToken) ?? nonEmpty(env.SLACK_BOT_TOKEN);
  if (!botToken) throw new MissingSlackConfigError("SLACK_BOT_TOKEN");
  const appToken = nonEmpty(input.appToken) ?? nonEmpty(env.SLACK_APP_TOKEN) ?? null;
  const signingSecret = nonEmpty(input.signingSecret) ?? nonEmpty(env.SLACK_SIGNING_SECRET) ?? null;
  const mode = appToken ? "socket" : "http";
  if (mode === "http" && !signingSecret) throw new MissingSlackConfigError("SLACK_SIGNING_SECRET");

  const apiUrl = normaliseApiUrl(nonEmpty(input.apiUrl) ?? nonEmpty(env.SLACK_API_URL) ?? null);
  const adminUserIds = new Set(
    (input.adminUserIds ?? (env.SLACK_ADMIN_USER_IDS ?? "").split(","))
      .map((id) => id.trim())
      .filter((id) => id.length > 0),
  );
  const port = input.port ?? parsePort(env.PORT);
  return { botToken, signingSecret, appToken, apiUrl, adminUserIds, port, mode };
}

function normaliseApiUrl(raw: string | null): string | null {
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("protocol");
  } catch (cause) {
    throw new InvalidSlackConfigError("SLACK_API_URL", cause);
  }
  // The Web API client appends the method name directly, so the base must end with "/".
  return raw.endsWith("/") ? raw : `${raw}/`;
}

function parsePort(raw: string | undefined): number {
  if (!nonEmpty(raw)) return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidSlackConfigError("PORT");
  return port;
}
