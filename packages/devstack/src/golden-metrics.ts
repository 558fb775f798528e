// The golden metrics of the shop's services over a window, from two readings of every Envoy's
// per-method gRPC stats: requests per second, success rate and latency percentiles per method,
// as each service's own sidecars see its calls (ingress, summed over its replicas), and its
// outgoing calls per callee method (its sidecars' egress).
import { countsKey, retriesEntry, type EnvoyReading, type LatencyBucket, type MethodCounts } from "./envoy-grpc-stats.js";

/** An Envoy of the mesh: a service replica's sidecar, or the gateway. */
export interface MeshEnvoy {
  /** Its component name: `sidecar-catalog-2`, `gateway`. */
  readonly name: string;
  /** The service whose sidecar it is; undefined for the gateway. */
  readonly service: string | undefined;
  readonly adminPort: number;
}

/** All Envoys' readings at one moment; an Envoy that did not answer is missing. */
export interface MeshReading {
  readonly atMs: number;
  readonly envoys: ReadonlyMap<string, EnvoyReading>;
}

export interface MethodMetrics {
  /** Short name of the service the method belongs to ("catalog"). */
  readonly service: string;
  readonly method: string;
  /** Calls that ended in the window. */
  readonly requests: number;
  readonly successes: number;
  readonly requestsPerSecond: number;
  /** successes / requests; undefined without calls. */
  readonly successRate: number | undefined;
  /** Calls that did not end OK, by gRPC status code. */
  readonly failures: Readonly<Record<number, number>>;
  /** Latency percentiles in ms (undefined without timed calls); Infinity: above the largest bucket. */
  readonly p50Ms: number | undefined;
  readonly p95Ms: number | undefined;
  readonly p99Ms: number | undefined;
}

export interface ServiceMetrics {
  readonly service: string;
  /** Sidecars of its replicas that answered both readings. */
  readonly replicasSeen: number;
  /** Attempts its callers (the gateway, other services' sidecars) retried to it in the window. */
  readonly retriedByCallers: number;
  /** Its methods, as its own sidecars saw the calls to them. */
  readonly inbound: readonly MethodMetrics[];
  /** Its calls to other services' methods, as its sidecars' egress saw them. */
  readonly outbound: readonly MethodMetrics[];
}

export interface GoldenMetrics {
  readonly windowSeconds: number;
  readonly services: readonly ServiceMetrics[];
  /** Envoys that did not answer one of the readings. */
  readonly missing: readonly string[];
}

/** What the topology says about a service: its gRPC name and the methods that should show. */
export interface ServiceInfo {
  readonly name: string;
  /** Fully qualified gRPC service name. */
  readonly service: string;
  /** Its methods, shown even when idle. */
  readonly methods: readonly string[];
  /** Callee name → methods this service may call, shown even when idle. */
  readonly calls: ReadonlyArray<{ readonly callee: string; readonly methods: readonly string[] }>;
}

/** Reads every Envoy once; one that does not answer is left out of the reading. */
export async function readMesh(envoys: readonly MeshEnvoy[], read: (adminPort: number) => Promise<EnvoyReading>): Promise<MeshReading> {
  const atMs = Date.now();
  const readings = await Promise.all(
    envoys.map((e) =>
      read(e.adminPort).then(
        (r) => [e.name, r] as const,
        () => undefined,
      ),
    ),
  );
  return { atMs, envoys: new Map(readings.filter((r) => r !== undefined)) };
}

/** What happened between two readings, per service and method. */
export function goldenMetrics(
  services: readonly ServiceInfo[],
  envoys: readonly MeshEnvoy[],
  before: MeshReading,
  after: MeshReading,
): GoldenMetrics {
  const seconds = Math.max((after.atMs - before.atMs) / 1000, 0.001);
  const missing = envoys.filter((e) => !before.envoys.has(e.name) || !after.envoys.has(e.name)).map((e) => e.name);
  const deltas = new Map<string, MethodCounts[]>(
    envoys.map((e) => [e.name, [...(after.envoys.get(e.name)?.values() ?? [])].map((c) => delta(before.envoys.get(e.name), c))]),
  );
  const byGrpcName = new Map(services.map((s) => [s.service, s]));
  const result = services.map((info): ServiceMetrics => {
    const sidecars = envoys.filter((e) => e.service === info.name && !missing.includes(e.name));
    const counts = sidecars.flatMap((e) => deltas.get(e.name) ?? []);
    const inbound = counts.filter((c) => c.cluster === "local_service" && c.service === info.service);
    const outbound = counts.filter((c) => c.cluster !== "local_service");
    const shortName = (grpcName: string): string => byGrpcName.get(grpcName)?.name ?? grpcName;
    const retries = [...deltas.values()].flat().filter((c) => c.method === retriesEntry && c.cluster === `${info.name}_ingress`);
    return {
      service: info.name,
      replicasSeen: sidecars.length,
      retriedByCallers: sum(retries.map((c) => c.total)),
      inbound: info.methods.map((method) => metrics(info.name, method, inbound, seconds)),
      outbound: info.calls.flatMap(({ callee, methods }) =>
        methods.map((method) =>
          metrics(
            callee,
            method,
            outbound.filter((c) => shortName(c.service) === callee),
            seconds,
          ),
        ),
      ),
    };
  });
  return { windowSeconds: seconds, services: result, missing };
}

/** Counts since `before` (all of them when the Envoy restarted in between, or the stat is new). */
function delta(before: EnvoyReading | undefined, after: MethodCounts): MethodCounts {
  const earlier = before?.get(countsKey(after));
  if (earlier === undefined || earlier.total > after.total) return after;
  const codes: Record<number, number> = {};
  for (const [code, n] of Object.entries(after.codes)) codes[Number(code)] = n - (earlier.codes[Number(code)] ?? 0);
  const earlierBuckets = new Map(earlier.latency.map((b) => [b.upperBoundMs, b.cumulative]));
  return {
    ...after,
    total: after.total - earlier.total,
    success: after.success - earlier.success,
    codes,
    latency: after.latency.map((b) => ({
      upperBoundMs: b.upperBoundMs,
      cumulative: b.cumulative - (earlierBuckets.get(b.upperBoundMs) ?? 0),
    })),
  };
}

function metrics(service: string, method: string, all: readonly MethodCounts[], seconds: number): MethodMetrics {
  const counts = all.filter((c) => c.method === method);
  const requests = sum(counts.map((c) => c.total));
  const successes = sum(counts.map((c) => c.success));
  const failures: Record<number, number> = {};
  for (const c of counts) {
    for (const [code, n] of Object.entries(c.codes)) {
      if (Number(code) !== 0 && n > 0) failures[Number(code)] = (failures[Number(code)] ?? 0) + n;
    }
  }
  const latency = mergeBuckets(counts.map((c) => c.latency));
  return {
    service,
    method,
    requests,
    successes,
    requestsPerSecond: requests / seconds,
    successRate: requests === 0 ? undefined : successes / requests,
    failures,
    p50Ms: quantile(latency, 0.5),
    p95Ms: quantile(latency, 0.95),
    p99Ms: quantile(latency, 0.99),
  };
}

/** Buckets of several replicas summed per bound (every Envoy of the mesh has the same bounds). */
function mergeBuckets(all: ReadonlyArray<readonly LatencyBucket[]>): LatencyBucket[] {
  const byBound = new Map<number, number>();
  for (const buckets of all) for (const b of buckets) byBound.set(b.upperBoundMs, (byBound.get(b.upperBoundMs) ?? 0) + b.cumulative);
  return [...byBound].map(([upperBoundMs, cumulative]) => ({ upperBoundMs, cumulative })).sort((a, b) => a.upperBoundMs - b.upperBoundMs);
}

/**
 * The q-quantile of cumulative buckets, interpolated linearly inside the bucket it falls in (as
 * Prometheus's histogram_quantile does); undefined when no call was timed.
 */
export function quantile(buckets: readonly LatencyBucket[], q: number): number | undefined {
  const count = buckets.at(-1)?.cumulative ?? 0;
  if (count <= 0) return undefined;
  const rank = q * count;
  let lowerBound = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.cumulative >= rank && b.cumulative > below) {
      return lowerBound + ((b.upperBoundMs - lowerBound) * (rank - below)) / (b.cumulative - below);
    }
    lowerBound = b.upperBoundMs;
    below = b.cumulative;
  }
  return Number.POSITIVE_INFINITY;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
