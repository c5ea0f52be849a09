import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COLUMNS } from "../../src/store/rows.ts";

/** Scalar fields of a model in prisma/schema.prisma, in order. */
function schemaColumns(model: string): string[] {
  const schema = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
  const block = new RegExp(`^model ${model} \\{([\\s\\S]*?)^\\}`, "m").exec(schema)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => /^\s+(\w+)\s+(String|Int|Boolean|DateTime)\??(\s|$)/.exec(line)?.[1])
    .filter((name): name is string => Boolean(name));
}

describe("aliased column lists used by joined reads", () => {
  for (const table of Object.keys(COLUMNS) as (keyof typeof COLUMNS)[]) {
    it(`${table} lists exactly the schema's columns`, () => {
      const columns = schemaColumns(table);
      expect(columns.length).toBeGreaterThan(5);
      expect([...COLUMNS[table]]).toEqual(columns);
    });
  }
});
