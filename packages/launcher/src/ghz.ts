// The real ghz load generator, for the benchmarks: one run, its percentiles and the server's errors.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { toolPath } from "./tools.js";

/**
 * Errors in a ghz report that the server caused. When its time is up, ghz cancels the calls still
 * in flight and closes its connections under them; those show up as errors but are not the
 * server's.
 */
export function countServerErrors(errorDistribution: Readonly<Record<string, number>> | undefined): number {
  return Object.values(serverErrors(errorDistribution)).reduce((a, b) => a + b, 0);
}

/** The server's errors of a ghz report, by message. */
function serverErrors(errorDistribution: Readonly<Record<string, number>> | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(errorDistribution ?? {}).filter(
      ([message]) => !/use of closed network connection|context canceled|code = Canceled/.test(message),
    ),
  );
}

export interface GhzRun {
  /** host:port, or unix:///path of a socket */
  readonly target: string;
  /** Mutual TLS with this client certificate (the server's is not checked); plaintext when absent. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  /** A protoset naming the method (servers without reflection need one). */
  readonly protoset: string;
  /** package.Service/Method */
  readonly call: string;
  readonly data: unknown;
  /** Requests in flight. */
  readonly concurrency: number;
  readonly connections: number;
  readonly seconds: number;
  /** A fixed rate; saturation when absent. */
  readonly rps?: number;
}

export interface GhzResult {
  readonly rps: number;
  /** Latency percentiles in milliseconds (NaN when ghz reports none). */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly errors: number;
  /** The same errors by message (gRPC code and text). */
  readonly errorsByMessage: Readonly<Record<string, number>>;
}

export async function runGhz(run: GhzRun): Promise<GhzResult> {
  const { stdout } = await promisify(execFile)(
    toolPath("ghz"),
    [
      ...(run.clientCertificate === undefined
        ? ["--insecure"]
        : ["--skipTLS", "--cert", run.clientCertificate.cert, "--key", run.clientCertificate.key]),
      "--protoset",
      run.protoset,
      "--call",
      run.call,
      "-d",
      JSON.stringify(run.data),
      "-c",
      String(run.concurrency),
      "--connections",
      String(run.connections),
      "-z",
      `${run.seconds}s`,
      ...(run.rps === undefined ? [] : ["--rps", String(run.rps)]),
      "--format",
      "json",
      run.target,
    ],
    { maxBuffer: 128 * 1024 * 1024 },
  );
  const report = JSON.parse(stdout) as {
    rps: number;
    latencyDistribution: { percentage: number; latency: number }[] | null;
    errorDistribution?: Record<string, number>;
  };
  const pct = (p: number): number => (report.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? Number.NaN) / 1e6;
  const errorsByMessage = serverErrors(report.errorDistribution);
  return { rps: report.rps, p50: pct(50), p90: pct(90), p99: pct(99), errors: countServerErrors(errorsByMessage), errorsByMessage };
}
