// One reading of an Envoy's per-method gRPC stats from its admin port (what the grpc_stats filter
// keeps: cluster.<cluster>.grpc.<service>.<method>.{total,success,failure,<code>,upstream_rq_time}).
// Counters are live; the cumulative histogram buckets are as of Envoy's last stats flush (every 5 s).

/** Calls of one method through one cluster of one Envoy, counted since the Envoy started. */
export interface MethodCounts {
  /** The Envoy cluster the calls went to: `local_service` at a sidecar's ingress, `<callee>_ingress` elsewhere. */
  readonly cluster: string;
  /** Fully qualified gRPC service name. */
  readonly service: string;
  readonly method: string;
  readonly total: number;
  readonly success: number;
  /** Calls by gRPC status code. */
  readonly codes: Readonly<Record<number, number>>;
  /** Cumulative latency buckets in ms, ascending by bound. */
  readonly latency: readonly LatencyBucket[];
}

export interface LatencyBucket {
  readonly upperBoundMs: number;
  /** Calls that took at most upperBoundMs. */
  readonly cumulative: number;
}

/**
 * The method name of a cluster's retries entry (service ""): `total` is Envoy's
 * `cluster.<cluster>.upstream_rq_retry`, the calls this Envoy retried to that cluster.
 */
export const retriesEntry = "(retries)";

/** One Envoy's counts, keyed by `cluster/service/method`, with one retries entry per cluster. */
export type EnvoyReading = ReadonlyMap<string, MethodCounts>;

export function countsKey(c: Pick<MethodCounts, "cluster" | "service" | "method">): string {
  return `${c.cluster}/${c.service}/${c.method}`;
}

interface StatsJson {
  readonly stats: ReadonlyArray<{
    readonly name?: string;
    readonly value?: number;
    readonly histograms?: ReadonlyArray<{
      readonly name: string;
      readonly buckets?: ReadonlyArray<{ readonly upper_bound: number; readonly cumulative: number }>;
    }>;
  }>;
}

// Service names are dotted (shop.catalog.v1.CatalogService); methods start upper case, stats lower case or digits.
const statName = /^cluster\.([^.]+)\.grpc\.(.+)\.([A-Z][A-Za-z0-9]*)\.([a-z0-9_]+)$/;
const retryStat = /^cluster\.([^.]+)\.upstream_rq_retry$/;

/** Reads `/stats?format=json` (only the per-method gRPC stats) from the admin port. */
export async function readEnvoyGrpcStats(adminPort: number, timeoutMs = 2_000): Promise<EnvoyReading> {
  const query = new URLSearchParams({
    format: "json",
    histogram_buckets: "cumulative",
    filter: "^cluster\\.[^.]+\\.(grpc\\..+\\.[A-Z]|upstream_rq_retry$)",
  });
  const response = await fetch(`http://127.0.0.1:${adminPort}/stats?${query}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`admin :${adminPort} answered HTTP ${response.status}`);
  return parseEnvoyGrpcStats((await response.json()) as StatsJson);
}

/** The per-method counts in an admin `/stats?format=json&histogram_buckets=cumulative` answer. */
export function parseEnvoyGrpcStats(json: StatsJson): EnvoyReading {
  const byKey = new Map<string, { cluster: string; service: string; method: string } & Mutable>();
  const entry = (name: string): [Mutable, string] | undefined => {
    const match = statName.exec(name);
    if (match === null) return undefined;
    const [, cluster = "", service = "", method = "", stat = ""] = match;
    const key = countsKey({ cluster, service, method });
    let counts = byKey.get(key);
    if (counts === undefined) {
      counts = { cluster, service, method, total: 0, success: 0, codes: {}, latency: [] };
      byKey.set(key, counts);
    }
    return [counts, stat];
  };
  for (const item of json.stats) {
    const retried = item.name === undefined ? null : retryStat.exec(item.name);
    if (retried !== null && item.value !== undefined) {
      const cluster = retried[1] ?? "";
      byKey.set(countsKey({ cluster, service: "", method: retriesEntry }), {
        cluster,
        service: "",
        method: retriesEntry,
        total: item.value,
        success: 0,
        codes: {},
        latency: [],
      });
      continue;
    }
    if (item.name !== undefined && item.value !== undefined) {
      const found = entry(item.name);
      if (found === undefined) continue;
      const [counts, stat] = found;
      if (stat === "total") counts.total = item.value;
      else if (stat === "success") counts.success = item.value;
      else if (/^\d+$/.test(stat)) counts.codes[Number(stat)] = item.value;
    }
    for (const histogram of item.histograms ?? []) {
      const found = entry(histogram.name);
      if (found === undefined || found[1] !== "upstream_rq_time") continue;
      found[0].latency = (histogram.buckets ?? [])
        .map((b) => ({ upperBoundMs: b.upper_bound, cumulative: b.cumulative }))
        .sort((a, b) => a.upperBoundMs - b.upperBoundMs);
    }
  }
  return byKey;
}

interface Mutable {
  total: number;
  success: number;
  codes: Record<number, number>;
  latency: LatencyBucket[];
}
