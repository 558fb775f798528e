// Writes every Envoy config of the mesh into one directory, and (with --validate) checks each
// with `envoy --mode validate`.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gatewayConfig, sidecarConfig } from "./envoy.js";
import type { Topology } from "./topology.js";

export interface GeneratedConfig {
  readonly name: string;
  readonly path: string;
}

/** Writes gateway.json and sidecar-<service>.json into `outDir`. */
export function writeEnvoyConfigs(
  topology: Topology,
  options: { outDir: string; jwksPath: string; logDir: string; faults?: boolean },
): GeneratedConfig[] {
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const written: GeneratedConfig[] = [];
  const write = (name: string, config: unknown): void => {
    const path = join(outDir, `${name}.json`);
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
    written.push({ name, path });
  };
  write("gateway", gatewayConfig(topology, resolve(options.jwksPath), resolve(options.logDir)));
  for (const service of topology.services)
    write(`sidecar-${service.name}`, sidecarConfig(topology, service, resolve(options.logDir), { faults: options.faults ?? false }));
  return written;
}

/** `envoy --mode validate` on one config; rejects with Envoy's own message. */
export async function validateEnvoyConfig(envoy: string, path: string): Promise<void> {
  try {
    await promisify(execFile)(envoy, ["--mode", "validate", "-c", path, "--log-level", "error"], { timeout: 30_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path} is not a valid Envoy config:\n${e.stderr || e.stdout || e.message}`);
  }
}
