// Every Dockerfile passes hadolint; every path one copies from the build context exists in the
// repository (after `make build`, as `docker buildx bake` would see it); the bake file builds every
// service and the storefront from Dockerfiles that exist, for both architectures; Node runs in them
// with the flags it runs with under `make up`.
import { describe, expect, it } from "@jest/globals";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nodeFlags } from "@shopmesh/launcher";
import { loadTopology } from "@shopmesh/mesh";
import { repoRoot } from "../src/index.js";
import { pinnedTool, run } from "./tools.js";

const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
const imagesDir = join(repoRoot, "deploy", "images");
const dockerfiles = readdirSync(imagesDir)
  .filter((f) => f.endsWith(".Dockerfile"))
  .map((f) => join(imagesDir, f));

/** The sources of each COPY from the build context (not --from another stage), ARGs and all. */
function contextCopies(dockerfile: string): string[] {
  const joined = readFileSync(dockerfile, "utf8").replaceAll(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line) && !/--from=/.test(line))
    .flatMap((line) => {
      const words = line
        .split(/\s+/)
        .slice(1)
        .filter((w) => !w.startsWith("--"));
      return words.slice(0, -1);
    });
}

describe("the images", () => {
  it("are defined by Dockerfiles for the Node services and the storefront", () => {
    expect(dockerfiles.map((f) => f.slice(imagesDir.length + 1))).toEqual(
      expect.arrayContaining(["node-service.Dockerfile", "web.Dockerfile"]),
    );
  });

  it.each(dockerfiles)("%s passes hadolint", async (dockerfile) => {
    const result = await run(pinnedTool("hadolint"), ["--no-color", "--failure-threshold", "info", dockerfile]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("run Node with the V8 flags `make up` gives the services and the storefront", () => {
    for (const name of ["node-service.Dockerfile", "web.Dockerfile"]) {
      const cmd = readFileSync(join(imagesDir, name), "utf8")
        .split("\n")
        .find((line) => line.startsWith("CMD "));
      const args = JSON.parse(cmd?.slice(4) ?? "[]") as string[];
      expect({ name, flags: args.slice(1, 1 + nodeFlags.length) }).toEqual({ name, flags: [...nodeFlags] });
    }
  });

  it("fail hadolint when one breaks a rule (the check can fail)", async () => {
    const result = await run(pinnedTool("hadolint"), ["--no-color", "-"], { input: "FROM node:latest\nRUN cd /x && npm ci\n" });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain("DL3007");
  });

  it.each(dockerfiles)("%s copies only paths that exist", (dockerfile) => {
    const sources = contextCopies(dockerfile);
    expect(sources.length).toBeGreaterThan(3);
    expect(sources.filter((source) => !existsSync(join(repoRoot, source)))).toEqual([]);
  });

  it.each(dockerfiles)("%s runs as a non-root user, from base images pinned to an exact version or digest", (dockerfile) => {
    const text = readFileSync(dockerfile, "utf8");
    const args = new Map([...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]));
    const stages = new Set([...text.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]));
    const bases = [...text.matchAll(/^FROM (\S+)/gm)]
      .map((m) => (m[1] ?? "").replaceAll(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? ""))
      .filter((image) => !stages.has(image));
    expect(bases.length).toBeGreaterThan(0);
    const pinned = /^[a-z0-9./-]+(:v?\d+\.\d+\.\d+[\w.-]*)?(@sha256:[a-f0-9]{64})?$/;
    expect(bases.filter((image) => !pinned.test(image) || !/[:@]/.test(image))).toEqual([]);
    const users = [...text.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users.at(-1)).toMatch(/^[1-9]\d*(:\d+)?$/);
  });

  it("are all in the bake file, from Dockerfiles that exist, for linux/amd64 and linux/arm64", () => {
    const bake = readFileSync(join(repoRoot, "docker-bake.hcl"), "utf8");
    const named = [...bake.matchAll(/dockerfile\s*=\s*"([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(named.length).toBe(topology.services.length + 1);
    expect(named.filter((path) => !existsSync(join(repoRoot, path)))).toEqual([]);
    expect(bake).toContain('platforms = ["linux/amd64", "linux/arm64"]');
  });

  it("leave secrets and local state out of the build context", () => {
    const ignored = readFileSync(join(repoRoot, ".dockerignore"), "utf8").split("\n");
    for (const entry of [".run", ".tools", "**/node_modules", "**/*.pem", ".git"]) expect(ignored).toContain(entry);
  });
});
