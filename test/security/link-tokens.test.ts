// Therapist alert links are "<subject>.<expiry>.<HMAC-SHA256 in base64url>": any change to the
// subject, the expiry or the signature opens nothing, and neither does the expiry passing.

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createLinkTokens } from "../../src/security/link-tokens.ts";

const now = new Date("2026-03-02T10:00:00Z");
const later = new Date("2026-03-03T10:00:00Z");

describe("signed alert links", () => {
  it("verify gives the subject back until the expiry, and nothing after", () => {
    const tokens = createLinkTokens(randomBytes(32));
    const token = tokens.sign("alert-1.therapist-1", later);
    expect(tokens.verify(token, now)).toBe("alert-1.therapist-1");
    expect(tokens.verify(token, later)).toBeNull();
    expect(createLinkTokens(randomBytes(32)).verify(token, now)).toBeNull();
  });

  it("every other spelling of the signature is refused, including the four that decode to the same bytes", () => {
    // 32 bytes in 43 base64url characters leave 2 unused bits in the last one: "w", "x", "y", "z"
    // (and each group of four) decode alike. Only the canonical one may open the page.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (let run = 0; run < 20; run++) {
      const tokens = createLinkTokens(randomBytes(32));
      const token = tokens.sign(`alert-${run}.therapist-1`, later);
      const head = token.slice(0, -1);
      const accepted = [...alphabet].filter((last) => tokens.verify(head + last, now) !== null);
      expect(accepted).toEqual([token.at(-1)]);
      // Any change in the middle of the signature or in the subject fails too.
      const middle = token.length - 20;
      const flipped = token.slice(0, middle) + (token[middle] === "A" ? "B" : "A") + token.slice(middle + 1);
      expect(tokens.verify(flipped, now)).toBeNull();
      expect(tokens.verify(token.replace(/^alert-\d+/, "alert-999"), now)).toBeNull();
    }
  });
});
