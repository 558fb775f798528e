// What the virtual shoppers saw, call by call: per gRPC method and per scenario step, the calls,
// how each ended (ok, declined, or failed with its gRPC code) and their latency in HdrHistograms
// (microseconds, 3 significant digits), plus a one-second window for the live line.
import { build, type Histogram } from "hdr-histogram-js";
import { subscribeMethod, type StreamEvents, type StreamStats } from "./subscription.js";

/** How one call or one step ended: OK, the expected decline of the declining test card, or an error code. */
export type Outcome = { readonly kind: "ok" } | { readonly kind: "declined" } | { readonly kind: "error"; readonly code: string };

export interface LatencySummary {
  /** Milliseconds (from microsecond histograms); 0 when nothing was recorded. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface CallStats {
  /** Calls (or step runs) that ended, whatever their outcome. */
  readonly calls: number;
  readonly ok: number;
  /** PlaceOrder with the declining test card, answered as the contract says (not an error). */
  readonly declined: number;
  /** Errors by gRPC code name (e.g. UNAVAILABLE), or NOT_DECLINED when the declining card was charged. */
  readonly errors: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary;
}

/** One failed call, for a report that says what broke and when. */
export interface Failure {
  readonly method: string;
  readonly step: string;
  /** The gRPC code name and the message, e.g. "UNAVAILABLE no healthy upstream". */
  readonly error: string;
  /** ISO time of the answer. */
  readonly at: string;
}

/** The latest full second: what the live line shows. */
export interface Window {
  readonly calls: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const keptFailures = 100;

/** Microseconds, up to an hour: far beyond any deadline a call here has. */
function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

class Tally {
  calls = 0;
  ok = 0;
  declined = 0;
  readonly errors = new Map<string, number>();
  readonly latency = histogram();

  add(outcome: Outcome, micros: number): void {
    this.calls++;
    if (outcome.kind === "ok") this.ok++;
    else if (outcome.kind === "declined") this.declined++;
    else this.errors.set(outcome.code, (this.errors.get(outcome.code) ?? 0) + 1);
    this.latency.recordValue(Math.max(1, Math.round(micros)));
  }

  stats(): CallStats {
    // A percentile is the top of its bucket, which may lie just above the largest value recorded.
    const max = this.latency.maxValue;
    const ms = (percentile: number): number => (this.calls === 0 ? 0 : Math.min(max, this.latency.getValueAtPercentile(percentile)) / 1000);
    return {
      calls: this.calls,
      ok: this.ok,
      declined: this.declined,
      errors: Object.fromEntries([...this.errors].sort(([a], [b]) => a.localeCompare(b))),
      latencyMs: { p50: ms(50), p90: ms(90), p99: ms(99), max: this.calls === 0 ? 0 : max / 1000 },
    };
  }
}

export interface Stats {
  /** Records one call of `method` ("CartService/AddItem") made in `step`. */
  call(method: string, step: string, outcome: Outcome, micros: number, message?: string): void;
  /** Records one run of `step` (its calls together, without think time). */
  step(step: string, outcome: Outcome, micros: number): void;
  /** Starts a new one-second window; the one just closed becomes `lastWindow`. */
  tick(elapsedMs: number): void;
  readonly lastWindow: Window;
  readonly totals: { readonly calls: number; readonly errors: number; readonly declined: number };
  methods(order: readonly string[]): Record<string, CallStats>;
  steps(order: readonly string[]): Record<string, CallStats>;
  readonly failures: readonly Failure[];
  /** Records a failure outside any call (a shopper that could not log in again, a visit that broke). */
  fault(method: string, step: string, error: string): void;
  /** The Subscribe streams' events; a broken stream counts as an error. */
  readonly streams: StreamEvents & { readonly openNow: number; stats(): StreamStats };
}

export function createStats(): Stats {
  const methods = new Map<string, Tally>();
  const steps = new Map<string, Tally>();
  const failures: Failure[] = [];
  const totals = { calls: 0, errors: 0, declined: 0 };
  let window = { calls: 0, errors: 0, latency: histogram(), startedMs: 0 };
  let lastWindow: Window = { calls: 0, errors: 0, rps: 0, p50Ms: 0, p99Ms: 0 };
  const streams = { opened: 0, openNow: 0, heldToEnd: 0, messages: 0, broken: new Map<string, number>() };
  const fault = (method: string, step: string, error: string): void => {
    totals.errors++;
    window.errors++;
    if (failures.length < keptFailures) failures.push({ method, step, error, at: new Date().toISOString() });
  };
  const tally = (map: Map<string, Tally>, name: string): Tally => {
    const found = map.get(name);
    if (found !== undefined) return found;
    const created = new Tally();
    map.set(name, created);
    return created;
  };
  const ordered = (map: Map<string, Tally>, order: readonly string[]): Record<string, CallStats> => {
    const names = [...order.filter((n) => map.has(n)), ...[...map.keys()].filter((n) => !order.includes(n))];
    return Object.fromEntries(names.map((n) => [n, tally(map, n).stats()]));
  };
  return {
    call(method, step, outcome, micros, message) {
      tally(methods, method).add(outcome, micros);
      totals.calls++;
      window.calls++;
      window.latency.recordValue(Math.max(1, Math.round(micros)));
      if (outcome.kind === "declined") totals.declined++;
      if (outcome.kind === "error") fault(method, step, `${outcome.code} ${message ?? ""}`.trim());
    },
    step(step, outcome, micros) {
      tally(steps, step).add(outcome, micros);
    },
    tick(elapsedMs) {
      const seconds = Math.max(0.001, (elapsedMs - window.startedMs) / 1000);
      const p = (percentile: number): number => (window.calls === 0 ? 0 : window.latency.getValueAtPercentile(percentile) / 1000);
      lastWindow = { calls: window.calls, errors: window.errors, rps: window.calls / seconds, p50Ms: p(50), p99Ms: p(99) };
      window.latency.reset();
      window = { calls: 0, errors: 0, latency: window.latency, startedMs: elapsedMs };
    },
    get lastWindow() {
      return lastWindow;
    },
    totals,
    methods: (order) => ordered(methods, order),
    steps: (order) => ordered(steps, order),
    failures,
    fault,
    streams: {
      opened() {
        streams.opened++;
        streams.openNow++;
      },
      message() {
        streams.messages++;
      },
      heldToEnd() {
        streams.openNow--;
        streams.heldToEnd++;
      },
      broken(code, message) {
        streams.openNow--;
        streams.broken.set(code, (streams.broken.get(code) ?? 0) + 1);
        fault(subscribeMethod, "subscribe", `${code} ${message}`);
      },
      get openNow() {
        return streams.openNow;
      },
      stats: () => ({
        opened: streams.opened,
        open: streams.heldToEnd,
        messages: streams.messages,
        broken: Object.fromEntries(streams.broken),
      }),
    },
  };
}

/** All errors of `stats`, whatever their code. */
export function errorCount(stats: CallStats): number {
  return Object.values(stats.errors).reduce((a, b) => a + b, 0);
}
