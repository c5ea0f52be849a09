// Renders outbound views as plain terminal text. Buttons get short codes (b1, b2, …) that the
// person types as `/press b1`.

import type { OutboundView } from "../../src/ports/chat-platform.ts";
import type { HomeView } from "../../src/ports/inbound.ts";

export interface RenderedButton {
  code: string;
  actionId: string;
  label: string;
}

export interface Rendered {
  text: string;
  buttons: RenderedButton[];
}

export function renderView(view: OutboundView, nextCode: () => string): Rendered {
  const buttons: RenderedButton[] = [];
  const button = (actionId: string, label: string): string => {
    const code = nextCode();
    buttons.push({ code, actionId, label });
    return `[${code}] ${label}`;
  };
  const lines: string[] = [];
  switch (view.kind) {
    case "prompt":
      lines.push(view.intro);
      for (const row of view.rows) {
        lines.push(`  ${row.question}  (${row.hint})`);
        lines.push(`    ${row.options.map((o) => button(o.actionId, o.label)).join("  ")}`);
      }
      if (view.tension) {
        lines.push(`  ${view.tension.question}`);
        lines.push(`    ${view.tension.options.map((o) => button(o.actionId, o.label)).join("  ")}`);
      }
      if (view.talkedThrough) {
        lines.push(`  ${view.talkedThrough.question}`);
        lines.push(`    ${view.talkedThrough.options.map((o) => button(o.actionId, o.label)).join("  ")}`);
      }
      lines.push(`  ${[view.commentButton ? button(view.commentButton.actionId, view.commentButton.label) : "", button(view.skipButton.actionId, view.skipButton.label)].filter(Boolean).join("  ")}`);
      lines.push(`  ${view.footer}`);
      break;
    case "consent":
      lines.push(view.text, `  ${button(view.accept.actionId, view.accept.label)}  ${button(view.decline.actionId, view.decline.label)}`);
      break;
    case "alert":
      lines.push(view.title, ...view.reasons.map((r) => `  • ${r}`), `  ${view.trendLine}`, `  [${view.status}]`);
      if (view.buttons.length > 0) lines.push(`  ${view.buttons.map((b) => button(b.actionId, b.label)).join("  ")}`);
      break;
    case "notice":
      lines.push(view.text);
      if (view.buttons?.length) lines.push(`  ${view.buttons.map((b) => button(b.actionId, b.label)).join("  ")}`);
      break;
    case "closed":
      lines.push(view.text);
      break;
    case "link":
      lines.push(view.text, `  ${view.link.label}: ${view.link.url}`);
      break;
  }
  return { text: lines.join("\n"), buttons };
}

export function renderHome(home: HomeView, nextCode: () => string): Rendered {
  const buttons: RenderedButton[] = [];
  const lines: string[] = [];
  for (const section of home.sections) {
    lines.push(`== ${section.title}`, ...section.lines.map((l) => `  ${l}`));
    for (const b of section.buttons ?? []) {
      const code = nextCode();
      buttons.push({ code, actionId: b.actionId, label: b.label });
      lines.push(`  [${code}] ${b.label}`);
    }
  }
  return { text: lines.join("\n"), buttons };
}
