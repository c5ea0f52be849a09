// Request verification for Slack's HTTP deliveries. Bolt's own check refuses stale
// timestamps only; we also refuse timestamps from the future, so a captured request
// cannot be pre-signed for later replay.

import type { IncomingHttpHeaders } from "node:http";
import { verifySlackRequest } from "@slack/bolt";

/** Slack's allowed clock skew in either direction. */
export const MAX_SKEW_SECONDS = 5 * 60;

export type VerifyFailure =
  | "missing_signature"
  | "missing_timestamp"
  | "bad_timestamp"
  | "stale_timestamp"
  | "future_timestamp"
  | "bad_signature";

export type VerifyResult = { ok: true } | { ok: false; code: VerifyFailure };

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

export function verifySlackSignature(input: {
  signingSecret: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  nowMilliseconds: number;
}): VerifyResult {
  const signature = singleHeader(input.headers, "x-slack-signature");
  if (!signature) return { ok: false, code: "missing_signature" };
  const timestampHeader = singleHeader(input.headers, "x-slack-request-timestamp");
  if (!timestampHeader) return { ok: false, code: "missing_timestamp" };
  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, code: "bad_timestamp" };
  const timestamp = Number(timestampHeader);
  const nowSeconds = Math.floor(input.nowMilliseconds / 1000);
  if (timestamp < nowSeconds - MAX_SKEW_SECONDS) return { ok: false, code: "stale_timestamp" };
  if (timestamp > nowSeconds + MAX_SKEW_SECONDS) return { ok: false, code: "future_timestamp" };
  try {
    verifySlackRequest({
      signingSecret: input.signingSecret,
      body: input.rawBody,
      headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp },
      nowMilliseconds: input.nowMilliseconds,
    });
    return { ok: true };
  } catch {
    return { ok: false, code: "bad_signature" };
  }
}
