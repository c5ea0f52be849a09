// The check-in form's questions: a blank form's are rendered once per locale and settings and
// reused; a form with values (stored answers to change, or a submission sent back with an
// error) is rendered for those values. A reused part must never carry another form's values or
// settings.

import { describe, expect, it } from "vitest";
import { questionsOf } from "../../adapters/web/routes/checkin.ts";
import type { FormValues } from "../../adapters/web/routes/checkin.ts";
import type { CheckInPage } from "../../src/ports/link-pages.ts";
import { en } from "../../src/i18n/locales/en.ts";
import { ro } from "../../src/i18n/locales/ro.ts";

const page = (over: Partial<CheckInPage> = {}): CheckInPage => ({
  actor: { platform: "terminal", workspaceId: "w", userId: "alice", isPlatformAdmin: false },
  checkInId: "c1",
  locale: "en",
  state: "open",
  askTension: true,
  askComment: true,
  commentMaxLength: 3000,
  answers: null,
  closesAtText: "Wed 4 Mar, 09:50",
  editableUntilText: null,
  timeZone: "Europe/London",
  consentVersion: "v1",
  ...over,
});
const blank: FormValues = { comment: "" };

describe("the check-in form's questions", () => {
  it("a blank form's are the same text each time, with nothing checked and nothing filled in", () => {
    const first = questionsOf(page(), blank);
    expect(questionsOf(page({ checkInId: "c2", closesAtText: "Thu 5 Mar, 10:00" }), { comment: "" })).toBe(first);
    expect(first).toContain(`<legend>${en["item.goal.question"]}</legend>`);
    expect(first).not.toContain(" checked");
    expect(first).toContain('maxlength="3000"');
    expect(first).toContain('<fieldset id="tension-group">');
    expect(first).toContain("></textarea>");
  });

  it("differ with each setting they show: language, the tension question, the comment, the length limit", () => {
    const base = questionsOf(page(), blank);
    const ro_ = questionsOf(page({ locale: "ro" }), blank);
    expect(ro_).toContain(`<legend>${ro["item.goal.question"]}</legend>`);
    const noTension = questionsOf(page({ askTension: false }), blank);
    expect(noTension).not.toContain("tension-group");
    const noComment = questionsOf(page({ askComment: false }), blank);
    expect(noComment).not.toContain("<textarea");
    const shorter = questionsOf(page({ commentMaxLength: 500 }), blank);
    expect(shorter).toContain('maxlength="500"');
    expect(new Set([base, ro_, noTension, noComment, shorter]).size).toBe(5);
    // And the blank form of the first settings is still the same after the others.
    expect(questionsOf(page(), blank)).toBe(base);
  });

  it("a form with values shows those values, and the blank form after it shows none", () => {
    const stored = page({ state: "answered", answers: { goal: 4, task: 2, bond: 5, tension: "a_little", talkedThrough: "yes", hasComment: true } });
    const filled = questionsOf(stored, { goal: 4, task: 2, bond: 5, tension: "a_little", talked: "yes", comment: "" });
    expect(filled).toContain('name="goal" value="4" required checked');
    expect(filled).toContain('name="task" value="2" required checked');
    expect(filled).toContain('name="tension" value="a_little" checked');
    expect(filled).toContain('name="talked" value="yes" checked');
    expect(filled).toContain('id="comment-kept"');
    // A submission sent back with an error keeps the comment typed.
    const sentBack = questionsOf(page(), { goal: 3, comment: "typed <b>text</b>" });
    expect(sentBack).toContain('name="goal" value="3" required checked');
    expect(sentBack).toContain("typed &lt;b&gt;text&lt;/b&gt;</textarea>");
    // A stored comment alone (no scores) is not blank either.
    expect(questionsOf(page({ answers: { goal: null, task: null, bond: null, tension: null, talkedThrough: null, hasComment: true } }), blank)).toContain('id="comment-kept"');
    const after = questionsOf(page(), blank);
    expect(after).not.toContain(" checked");
    expect(after).not.toContain("comment-kept");
    expect(after).not.toContain("typed");
  });
});
