// Submission ids of the link pages' forms: 16 random bytes each (LINK_SUBMISSION), drawn from a
// pool the CSPRNG refills; across refills no id repeats and none is all zeros (a spent slot).

import { describe, expect, it } from "vitest";
import { LINK_SUBMISSION, newSubmissionId } from "../../adapters/web/routes/link-route.ts";

describe("submission ids", () => {
  it("have the shape the routes accept and never repeat across refills of the pool", () => {
    const ids = Array.from({ length: 2000 }, () => newSubmissionId());
    for (const id of ids) expect(id).toMatch(LINK_SUBMISSION);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(Buffer.alloc(16).toString("base64url"));
    // 16 random bytes: every base64url character shows up over 2,000 ids.
    expect(new Set(ids.join("")).size).toBe(64);
  });
});
