// CI must fail, with the reason, when PostgreSQL cannot start; a local run may skip, loudly.

import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { probePostgres } from "../support/pg-test-database.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A directory of stand-in PostgreSQL tools placed first on PATH. */
function fakeTools(tools: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "checkin-ci-"));
  dirs.push(dir);
  for (const [name, body] of Object.entries(tools)) {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

const run = (bin: string) =>
  spawnSync(path.resolve(".ci/ensure-postgres"), [], { env: { PATH: `${bin}:/usr/bin:/bin`, CI_PG_WAIT_SECONDS: "1" }, encoding: "utf8" });

describe(".ci/ensure-postgres", () => {
  it("fails with a clear message when the server cannot be started", () => {
    const result = run(fakeTools({ pg_isready: "exit 2", pg_ctlcluster: 'echo "cluster is broken" >&2; exit 1' }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/CI FAILED: PostgreSQL (\S+ could not be started|is not installed)/);
  });

  it("fails when the server starts but never answers", () => {
    const result = run(fakeTools({ pg_isready: "exit 2", pg_ctlcluster: "exit 0" }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/CI FAILED: PostgreSQL (\S+ started but does not answer|is not installed)/);
  });

  it("succeeds when the server answers", () => {
    const result = run(fakeTools({ pg_isready: "exit 0", pg_ctlcluster: "exit 1" }));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("PostgreSQL is up");
  });

  it(".ci/run uses it and no longer ignores a failed start", () => {
    const ci = readFileSync(".ci/run", "utf8");
    expect(ci).toContain(".ci/ensure-postgres");
    expect(ci).toContain("export REQUIRE_POSTGRES=1");
    expect(ci).not.toMatch(/\|\|\s*true/);
  });
});

describe("PostgreSQL suites without a server", () => {
  const nowhere = "postgres://postgres@127.0.0.1:1/postgres";

  it("skip locally and say so on stderr", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.stubEnv("REQUIRE_POSTGRES", "");
    expect(await probePostgres(nowhere)).toMatch(/PostgreSQL unreachable at postgres:\/\/postgres@127\.0\.0\.1:1/);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^SKIPPING PostgreSQL suite: /));
  });

  it("fail under REQUIRE_POSTGRES=1, as in CI", async () => {
    vi.stubEnv("REQUIRE_POSTGRES", "1");
    await expect(probePostgres(nowhere)).rejects.toThrow(/REQUIRE_POSTGRES=1 but PostgreSQL unreachable/);
  });
});
