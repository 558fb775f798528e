// deploy/topology.yaml, validated and with every port worked out from the base.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

const methodList = z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: "must be a method name like GetProduct" }));
const duration = z.string().regex(/^\d+(\.\d+)?s$/, { error: "must be seconds, like 2s" });

const topologySchema = z.object({
  portBase: z.number().int().min(1024).max(65_000),
  gateway: z.object({
    port: z.number().int().min(0),
    adminPort: z.number().int().min(0),
    jwt: z.object({ issuer: z.string().min(1), audience: z.string().min(1), jwks: z.string().min(1) }),
    reflectionVia: z.string(),
  }),
  web: z.object({ port: z.number().int().min(0) }),
  stores: z.record(z.string(), z.object({ kind: z.enum(["mongodb", "redis"]), port: z.number().int().min(0) })),
  services: z.record(
    z.string().regex(/^[a-z]+$/),
    z.object({
      service: z.string().regex(/^shop\.[a-z]+\.v\d+\.[A-Z][A-Za-z]+Service$/),
      store: z.object({ server: z.string(), database: z.string().optional() }),
      calls: z.array(z.string()),
      public: methodList,
      user: methodList,
      idempotent: methodList,
      streaming: methodList.default([]),
      timeout: duration,
    }),
  ),
});

export type TopologyFile = z.output<typeof topologySchema>;

export interface StoreNode {
  readonly name: string;
  readonly kind: "mongodb" | "redis";
  readonly port: number;
}

export interface ServiceNode {
  readonly name: string;
  /** Fully qualified gRPC service name. */
  readonly service: string;
  readonly store: { readonly server: string; readonly database: string | undefined };
  readonly calls: readonly string[];
  readonly publicMethods: readonly string[];
  readonly userMethods: readonly string[];
  readonly idempotent: readonly string[];
  readonly streaming: readonly string[];
  readonly timeout: string;
  readonly appPort: number;
  readonly ingressPort: number;
  readonly egressPort: number;
  readonly adminPort: number;
}

export interface Topology {
  readonly base: number;
  readonly gateway: {
    readonly port: number;
    readonly adminPort: number;
    readonly jwt: { readonly issuer: string; readonly audience: string; readonly jwks: string };
    readonly reflectionVia: string;
  };
  /** Port of the storefront's static server. */
  readonly webPort: number;
  readonly stores: readonly StoreNode[];
  readonly services: readonly ServiceNode[];
}

/** Reads and checks the topology; `base` overrides its portBase (SHOP_PORT_BASE). */
export function loadTopology(path: string, base?: number): Topology {
  const parsed = topologySchema.safeParse(parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join(".") ?? "?"} ${issue?.message ?? "is invalid"}`);
  }
  return buildTopology(parsed.data, base);
}

export function buildTopology(file: TopologyFile, base = file.portBase): Topology {
  const names = Object.keys(file.services);
  const services = names.map((name, i): ServiceNode => {
    const s = file.services[name];
    if (s === undefined) throw new Error(`no service ${name}`);
    for (const callee of s.calls) {
      if (!(callee in file.services)) throw new Error(`services.${name}.calls names unknown service ${callee}`);
    }
    if (!(s.store.server in file.stores)) throw new Error(`services.${name}.store names unknown store ${s.store.server}`);
    return {
      name,
      service: s.service,
      store: { server: s.store.server, database: s.store.database },
      calls: s.calls,
      publicMethods: s.public,
      userMethods: s.user,
      idempotent: s.idempotent,
      streaming: s.streaming,
      timeout: s.timeout,
      appPort: base + 20 + i,
      ingressPort: base + 30 + i,
      egressPort: base + 40 + i,
      adminPort: base + 50 + i,
    };
  });
  if (!(file.gateway.reflectionVia in file.services)) throw new Error(`gateway.reflectionVia names unknown service`);
  return {
    base,
    gateway: {
      port: base + file.gateway.port,
      adminPort: base + file.gateway.adminPort,
      jwt: file.gateway.jwt,
      reflectionVia: file.gateway.reflectionVia,
    },
    webPort: base + file.web.port,
    stores: Object.entries(file.stores).map(([name, s]) => ({ name, kind: s.kind, port: base + s.port })),
    services,
  };
}

export function serviceNamed(topology: Topology, name: string): ServiceNode {
  const s = topology.services.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no service ${name} in the topology`);
  return s;
}
