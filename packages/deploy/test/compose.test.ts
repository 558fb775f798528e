// The Compose file passes the Compose specification's schema (check-jsonschema's built-in copy,
// offline), and every Envoy config it mounts, and the Kubernetes sidecars' ones, pass the real
// `envoy --mode validate` with certificates issued for the containers' names.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCertificates, loadTopology, validateEnvoyConfig } from "@shopmesh/mesh";
import { parse } from "yaml";
import { composeWorkloads, containerFiles, repoRoot } from "../src/index.js";
import { field } from "./documents.js";
import { pinnedTool, run } from "./tools.js";

const composeFile = join(repoRoot, "deploy", "compose", "compose.yaml");

describe("the Compose file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-compose-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is valid against the Compose specification's schema", async () => {
    const result = await run(pinnedTool("check-jsonschema"), ["--builtin-schema", "vendor.compose-spec", composeFile]);
    expect(result.stdout + result.stderr).toContain("ok -- validation done");
    expect(result.code).toBe(0);
  });

  it("is refused by the same check when a service is malformed (the check can fail)", async () => {
    const broken = parse(readFileSync(composeFile, "utf8")) as Record<string, unknown>;
    (field(broken, "services.gateway") as Record<string, unknown>)["restart"] = ["always"];
    const path = join(dir, "broken.yaml");
    writeFileSync(path, JSON.stringify(broken));
    const result = await run(pinnedTool("check-jsonschema"), ["--builtin-schema", "vendor.compose-spec", path]);
    expect(result.code).not.toBe(0);
  });

  it("puts each sidecar in its service's network namespace and starts the gateway after every sidecar is healthy", () => {
    const services = field(parse(readFileSync(composeFile, "utf8")), "services") as Record<string, unknown>;
    const sidecars = Object.keys(services).filter((name) => name.endsWith("-sidecar"));
    expect(sidecars.length).toBeGreaterThan(8);
    for (const sidecar of sidecars)
      expect(field(services, `${sidecar}.network_mode`)).toBe(`service:${sidecar.slice(0, -"-sidecar".length)}`);
    expect(Object.keys(field(services, "gateway.depends_on") as object).sort()).toEqual(sidecars.sort());
    // Every long-running container restarts and has a health check; the broker's setup is a one-shot, run again only when it failed.
    for (const [name, service] of Object.entries(services)) {
      const expected = name === "broker-setup" ? [name, "on-failure", false] : [name, "unless-stopped", true];
      expect([name, field(service, "restart"), field(service, "healthcheck.test") !== undefined]).toEqual(expected);
    }
    expect(field(services, "broker-setup.depends_on.broker.condition")).toBe("service_healthy");
  });

  it("mounts Envoy configs that all pass envoy --mode validate, as do the Kubernetes sidecars' and gateway's", async () => {
    const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
    const pki = join(dir, "pki");
    await issueCertificates(composeWorkloads(topology), { dir: pki });
    // The gateway's jwt_authn needs a valid key; which one does not matter here.
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(
      join(dir, "jwks.json"),
      JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), alg: "ES256", use: "sig", kid: "k" }] }),
    );
    const envoy = pinnedTool("envoy");
    const configDirs = [join(repoRoot, "deploy", "compose", "envoy"), join(repoRoot, "deploy", "k8s", "overlays", "sidecars", "envoy")];
    const configs = configDirs.flatMap((d) => readdirSync(d).map((f) => join(d, f)));
    expect(configs.length).toBe(topology.services.reduce((n, s) => n + s.replicas.length, 0) + topology.services.length + 2);
    for (const config of configs) {
      // The containers' paths, pointed at a local copy of what they mount.
      const text = readFileSync(config, "utf8")
        .replaceAll(`"${containerFiles.pkiDir}/`, `"${pki}/`)
        .replaceAll(containerFiles.jwksPath, join(dir, "jwks.json"))
        .replaceAll('"/dev/stdout"', JSON.stringify(join(dir, "access.log")));
      const local = join(dir, "envoy.json");
      writeFileSync(local, text);
      await expect(validateEnvoyConfig(envoy, local).then(() => config)).resolves.toBe(config);
    }
  }, 120_000);
});
