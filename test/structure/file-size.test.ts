// A file does one job: no TypeScript file in src/ or adapters/ is over 400 lines unless its first
// line says why, as `// Over 400 lines: <reason>`. Generated code (src/store/generated) is exempt.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LIMIT = 400;
const REASON = /^\/\/ Over 400 lines: \S.{9,}$/;
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).includes("generated"));
}

/** Files over the limit whose first line gives no reason, with their length. */
export function longFilesWithoutReason(files: { name: string; text: string }[]): string[] {
  return files.flatMap(({ name, text }) => {
    const lines = text.split("\n");
    const count = text.endsWith("\n") ? lines.length - 1 : lines.length;
    return count > LIMIT && !REASON.test(lines[0] ?? "") ? [`${name}: ${count} lines and no "// Over 400 lines: <reason>" first line`] : [];
  });
}

describe("file size", () => {
  it("the rule catches a long file without a reason and accepts one with a reason", () => {
    const body = Array.from({ length: LIMIT }, (_, i) => `export const x${i} = ${i};`).join("\n");
    expect(longFilesWithoutReason([{ name: "long.ts", text: `// A header.\n${body}\n` }])).toEqual(['long.ts: 401 lines and no "// Over 400 lines: <reason>" first line']);
    expect(longFilesWithoutReason([{ name: "long.ts", text: `// Over 400 lines: generated lookup table of codes.\n${body}\n` }])).toEqual([]);
    expect(longFilesWithoutReason([{ name: "short.ts", text: `${body}\n` }])).toEqual([]);
  });

  it("no file in src/ or adapters/ is over 400 lines without a reason at its top", () => {
    const files = [...sources("src"), ...sources("adapters")];
    expect(files.length).toBeGreaterThan(100);
    const found = longFilesWithoutReason(files.map((name) => ({ name, text: readFileSync(path.join(ROOT, name), "utf8") })));
    expect(found).toEqual([]);
  });
});
