// Writes every Envoy config of the mesh into one directory, and (with --validate) checks each
// with `envoy --mode validate`.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gatewayConfig, sidecarConfig, type MeshOptions } from "./envoy.js";
import { withTracing } from "./envoy-tracing.js";
import type { MeshFiles } from "./mesh-files.js";
import type { Topology } from "./topology.js";

export interface GeneratedConfig {
  readonly name: string;
  readonly path: string;
}

/** Writes gateway.json and sidecar-<replica>.json (one per replica of each service) into `outDir`, traced when the topology says so. */
export function writeEnvoyConfigs(topology: Topology, outDir: string, files: MeshFiles, options: MeshOptions = {}): GeneratedConfig[] {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const written: GeneratedConfig[] = [];
  const write = (name: string, config: unknown): void => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
    written.push({ name, path });
  };
  const absolute: MeshFiles = {
    logDir: resolve(files.logDir),
    pkiDir: resolve(files.pkiDir),
    socketDir: resolve(files.socketDir),
    jwksPath: resolve(files.jwksPath),
  };
  const traced = (config: Record<string, unknown>, serviceName: string, workload: string): unknown =>
    topology.tracing.enabled ? withTracing(config, topology, serviceName, workload, options.addressing) : config;
  write("gateway", traced(gatewayConfig(topology, absolute, options), "gateway", "gateway"));
  for (const service of topology.services) {
    for (const replica of service.replicas) {
      const config = sidecarConfig(topology, service, replica, absolute, options);
      write(`sidecar-${replica.name}`, traced(config, `sidecar-${service.name}`, replica.name));
    }
  }
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
