// No import cycle in src/ or adapters/, type-only imports included: a cycle means two modules
// that cannot be understood, tested or moved apart. Checked with madge on the TypeScript sources.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import madge from "madge";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function graph(dirs: string[]) {
  return madge(dirs, {
    baseDir: ROOT,
    fileExtensions: ["ts"],
    tsConfig: path.join(ROOT, "tsconfig.json"),
    excludeRegExp: [/[\\/]generated[\\/]/],
    detectiveOptions: { ts: { skipTypeImports: false } },
  });
}

describe("import cycles", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("the check finds a cycle between two files that import each other", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cycles-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "a.ts"), 'import { b } from "./b.ts";\nexport const a = () => b;\n');
    writeFileSync(path.join(dir, "b.ts"), 'import type { a } from "./a.ts";\nexport const b = 1;\nexport type A = typeof a;\n');
    const result = await graph([dir]);
    expect(result.circular()).toHaveLength(1);
  });

  it("there are none in src/ or adapters/, and every import was resolved", { timeout: 120_000 }, async () => {
    const result = await graph([path.join(ROOT, "src"), path.join(ROOT, "adapters")]);
    expect(Object.keys(result.obj()).length).toBeGreaterThan(100);
    expect(result.warnings().skipped).toEqual([]);
    expect(result.circular()).toEqual([]);
  });
});
