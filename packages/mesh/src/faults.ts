// deploy/faults.yaml: the failure scenarios the mesh can switch on at runtime, validated like the
// topology (every method must exist in its service's contract), and the runtime keys of each.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { codeName, shopFiles } from "@shopmesh/kit";
import { parse } from "yaml";
import { z } from "zod";
import type { Topology } from "./topology.js";

/** Header that marks a call for a `marked-first-attempt` scenario; its value is the scenario's name. */
export const faultHeader = "x-shop-fault";

const percent = z.number().int().min(0).max(100);

/** The gRPC code of a name like UNAVAILABLE (as Envoy and grpcurl spell it), or undefined. */
export function grpcCode(name: string): number | undefined {
  for (let code = 1; code <= 16; code++) if (codeName(code) === name.toUpperCase()) return code;
  return undefined;
}

const scenarioSchema = z
  .object({
    description: z.string().min(1),
    service: z.string().regex(/^[a-z]+$/, { error: "must be a service name or all" }),
    methods: z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: "must be a method name like GetProduct" })).optional(),
    replica: z.number().int().min(1).optional(),
    health: z.boolean().default(false),
    abort: z
      .object({
        code: z.string().refine((c) => grpcCode(c) !== undefined, { error: "must be a gRPC code name like UNAVAILABLE" }),
        percent,
      })
      .optional(),
    delay: z.object({ ms: z.number().int().min(1).max(60_000), percent }).optional(),
    only: z.literal("marked-first-attempt").optional(),
  })
  .refine((s) => s.abort !== undefined || s.delay !== undefined, { error: "needs an abort or a delay" });

const faultsSchema = z.object({
  scenarios: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, { error: "must be a name like payment-failure" }), scenarioSchema),
});

export interface FaultScenario {
  readonly name: string;
  readonly description: string;
  /** The services whose sidecars inject it. */
  readonly services: readonly string[];
  /** Methods it hits; undefined: every method of the service's contract. */
  readonly methods: readonly string[] | undefined;
  /** Only this replica's sidecar is switched (ordinal, 1 for the first). */
  readonly replica: number | undefined;
  /** Its health checks (grpc.health.v1) too, so that callers' active health checks see it. */
  readonly health: boolean;
  readonly abort: { readonly code: number; readonly percent: number } | undefined;
  readonly delay: { readonly ms: number; readonly percent: number } | undefined;
  /** Only calls marked with `x-shop-fault: <name>`, and only their first attempt. */
  readonly markedFirstAttempt: boolean;
}

/** The runtime keys a scenario's fault filters read; none set means off. */
export function faultRuntimeKeys(name: string): { abortPercent: string; grpcStatus: string; delayPercent: string; delayMs: string } {
  return {
    abortPercent: `fault.${name}.abort_percent`,
    grpcStatus: `fault.${name}.grpc_status`,
    delayPercent: `fault.${name}.delay_percent`,
    delayMs: `fault.${name}.delay_ms`,
  };
}

/** The scenarios in faults.yaml beside the topology file; none if there is no such file. */
export function loadFaults(topologyPath: string, topology: Topology): FaultScenario[] {
  const path = join(dirname(topologyPath), "faults.yaml");
  return existsSync(path) ? parseFaults(parse(readFileSync(path, "utf8")), path, topology) : [];
}

/** Checks scenarios already read (YAML parsed to plain data) against the topology; `source` names them in errors. */
export function parseFaults(data: unknown, source: string, topology: Topology): FaultScenario[] {
  const parsed = faultsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join(".") ?? "?"} ${issue?.message ?? "is invalid"}`);
  }
  const contracts = new Map(shopFiles.flatMap((f) => f.services).map((d) => [d.typeName, new Set(d.methods.map((m) => m.name))]));
  return Object.entries(parsed.data.scenarios).map(([name, s]): FaultScenario => {
    const where = `${source}: scenarios.${name}`;
    const services = s.service === "all" ? topology.services.map((x) => x.name) : [s.service];
    const node = topology.services.find((x) => x.name === s.service);
    if (s.service !== "all" && node === undefined) throw new Error(`${where}.service names unknown service ${s.service}`);
    if (s.methods !== undefined) {
      if (node === undefined) throw new Error(`${where}.methods needs one service, not all`);
      const known = contracts.get(node.service);
      for (const method of s.methods) if (!known?.has(method)) throw new Error(`${where}.methods: ${node.service} has no method ${method}`);
    }
    if (s.replica !== undefined && node === undefined) throw new Error(`${where}.replica needs one service, not all`);
    return {
      name,
      description: s.description,
      services,
      methods: s.methods,
      replica: s.replica,
      health: s.health,
      abort: s.abort === undefined ? undefined : { code: grpcCode(s.abort.code) ?? 14, percent: s.abort.percent },
      delay: s.delay,
      markedFirstAttempt: s.only === "marked-first-attempt",
    };
  });
}
