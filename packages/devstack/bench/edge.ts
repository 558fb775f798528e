// The gateway's rate limit in the benchmarks that saturate it: its default bucket per route
// (deploy/topology.yaml) is a policy, and a fast machine carries more; a saturating run measures the
// shop, not where the edge starts refusing. Login and Register keep their own tight buckets.
import type { TokenBucket } from "@shopmesh/mesh";

export const benchRateLimit: TokenBucket = { perSecond: 1_000_000, burst: 1_000_000 };

/** Said in each section measured with it. */
export const benchRateLimitNote =
  "The gateway's default rate limit per route (deploy/topology.yaml) is lifted for the run (packages/devstack/bench/edge.ts): at saturation the rows measure the shop, not where the edge starts refusing.";
