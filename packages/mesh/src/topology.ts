// deploy/topology.yaml, validated and with every port worked out from the base.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { shopFiles } from "@shopmesh/kit";
import { z } from "zod";
import type { Workload } from "./pki.js";

const methodList = z.array(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: "must be a method name like GetProduct" }));
const duration = z.string().regex(/^\d+(\.\d+)?s$/, { error: "must be seconds, like 2s" });
const tokenBucket = z.object({ perSecond: z.number().int().min(1), burst: z.number().int().min(1) });

const topologySchema = z.object({
  portBase: z.number().int().min(1024).max(65_000),
  trustDomain: z.string().regex(/^[a-z0-9.-]+$/, { error: "must be a trust domain like shopmesh.local" }),
  gateway: z.object({
    port: z.number().int().min(0),
    tlsPort: z.number().int().min(0),
    adminPort: z.number().int().min(0),
    rateLimits: z.object({
      default: tokenBucket,
      methods: z.record(z.string().regex(/^shop\.[a-z]+\.v\d+\.[A-Za-z]+\/[A-Z][A-Za-z0-9]*$/), tokenBucket).default({}),
    }),
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
      calls: z.record(z.string(), methodList),
      actsForUser: z.boolean().default(false),
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

export interface TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
}

/** One callee a service may call, and which of its methods. */
export interface CallGrant {
  readonly callee: string;
  readonly methods: readonly string[];
}

export interface ServiceNode {
  readonly name: string;
  /** Fully qualified gRPC service name. */
  readonly service: string;
  /** The SPIFFE ID in its sidecar's certificate. */
  readonly identity: string;
  readonly store: { readonly server: string; readonly database: string | undefined };
  readonly calls: readonly CallGrant[];
  /** Whether its calls may carry a user's identity header. */
  readonly actsForUser: boolean;
  readonly publicMethods: readonly string[];
  readonly userMethods: readonly string[];
  readonly idempotent: readonly string[];
  readonly streaming: readonly string[];
  readonly timeout: string;
  readonly appPort: number;
  readonly ingressPort: number;
  readonly adminPort: number;
}

export interface Topology {
  readonly base: number;
  readonly trustDomain: string;
  readonly gateway: {
    /** The SPIFFE ID in the gateway's certificate. */
    readonly identity: string;
    readonly port: number;
    readonly tlsPort: number;
    readonly adminPort: number;
    readonly rateLimits: { readonly default: TokenBucket; readonly methods: Readonly<Record<string, TokenBucket>> };
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
  return parseTopology(parse(readFileSync(path, "utf8")), path, base);
}

/** Checks a topology already read (YAML parsed to plain data); `source` names it in errors. */
export function parseTopology(data: unknown, source: string, base?: number): Topology {
  const parsed = topologySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${source}: ${issue?.path.join(".") ?? "?"} ${issue?.message ?? "is invalid"}`);
  }
  return buildTopology(parsed.data, base);
}

export function buildTopology(file: TopologyFile, base = file.portBase): Topology {
  const names = Object.keys(file.services);
  const services = names.map((name, i): ServiceNode => {
    const s = file.services[name];
    if (s === undefined) throw new Error(`no service ${name}`);
    const calls = Object.entries(s.calls).map(([callee, methods]): CallGrant => {
      if (!(callee in file.services)) throw new Error(`services.${name}.calls names unknown service ${callee}`);
      return { callee, methods };
    });
    if (!(s.store.server in file.stores)) throw new Error(`services.${name}.store names unknown store ${s.store.server}`);
    return {
      name,
      service: s.service,
      identity: `spiffe://${file.trustDomain}/svc/${name}`,
      store: { server: s.store.server, database: s.store.database },
      calls,
      actsForUser: s.actsForUser,
      publicMethods: s.public,
      userMethods: s.user,
      idempotent: s.idempotent,
      streaming: s.streaming,
      timeout: s.timeout,
      appPort: base + 20 + i,
      ingressPort: base + 30 + i,
      adminPort: base + 50 + i,
    };
  });
  if (!(file.gateway.reflectionVia in file.services)) throw new Error(`gateway.reflectionVia names unknown service`);
  checkMethodsExist(file, services);
  return {
    base,
    trustDomain: file.trustDomain,
    gateway: {
      identity: `spiffe://${file.trustDomain}/gateway`,
      port: base + file.gateway.port,
      tlsPort: base + file.gateway.tlsPort,
      adminPort: base + file.gateway.adminPort,
      rateLimits: file.gateway.rateLimits,
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

/**
 * Every method the topology names must exist in the contract of the service it names: a typo
 * would otherwise become a route or a grant that silently never matches.
 */
function checkMethodsExist(file: TopologyFile, services: readonly ServiceNode[]): void {
  const contracts = new Map(shopFiles.flatMap((f) => f.services).map((d) => [d.typeName, new Set(d.methods.map((m) => m.name))]));
  const check = (where: string, serviceName: string, methods: readonly string[]): void => {
    const known = contracts.get(serviceName);
    if (known === undefined) throw new Error(`${where}: no contract defines ${serviceName}`);
    for (const method of methods) if (!known.has(method)) throw new Error(`${where}: ${serviceName} has no method ${method}`);
  };
  for (const service of services) {
    for (const methods of [service.publicMethods, service.userMethods, service.idempotent, service.streaming]) {
      check(`services.${service.name}`, service.service, methods);
    }
    for (const grant of service.calls) {
      const callee = services.find((s) => s.name === grant.callee);
      if (callee === undefined) continue;
      if (grant.methods.length === 0) throw new Error(`services.${service.name}.calls.${grant.callee} lists no method`);
      check(`services.${service.name}.calls.${grant.callee}`, callee.service, grant.methods);
    }
  }
  for (const path of Object.keys(file.gateway.rateLimits.methods)) {
    const [serviceName = "", method = ""] = path.split("/");
    check("gateway.rateLimits.methods", serviceName, [method]);
    // A limit on a method the gateway does not route would never apply.
    const service = services.find((s) => s.service === serviceName);
    if (service && ![...service.publicMethods, ...service.userMethods].includes(method)) {
      throw new Error(`gateway.rateLimits.methods: the gateway does not route ${path} (it is neither public nor user)`);
    }
  }
}

/** Every workload that needs a certificate: the gateway (also named for people's TLS clients) and each sidecar. */
export function workloads(topology: Topology): Workload[] {
  return [
    { name: "gateway", spiffeId: topology.gateway.identity, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] },
    ...topology.services.map((s) => ({ name: s.name, spiffeId: s.identity })),
  ];
}
