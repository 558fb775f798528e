// What `make load` prints: the live line while it runs, and at the end a summary, a table per method
// and one per scenario step (cli-table3, uncoloured so the tables read the same in a log file).
import Table from "cli-table3";
import type { LoadProgress, LoadResult } from "./load.js";
import type { CallStats } from "./stats.js";

/** Milliseconds as a person reads them: 0.42ms, 7.5ms, 120ms, 1.3s. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)}s`;
  if (ms >= 100) return `${Math.round(ms)}ms`;
  if (ms >= 10) return `${ms.toFixed(0)}ms`;
  if (ms >= 1) return `${ms.toFixed(1)}ms`;
  return `${ms.toFixed(2)}ms`;
}

/** One line: elapsed, shoppers in a visit, open streams, the last second's rps and latency, errors so far. */
export function liveLine(p: LoadProgress, shoppers: number): string {
  const w = p.window;
  return [
    `${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s`,
    `shoppers ${p.activeShoppers}/${shoppers}`,
    `streams ${p.streamsOpen}`,
    `rps ${w.rps.toFixed(1)}`,
    `errors ${p.errors}`,
    `declined ${p.declined}`,
    ...(p.dropped > 0 ? [`dropped ${p.dropped}`] : []),
    `p50 ${formatMs(w.p50Ms)}`,
    `p99 ${formatMs(w.p99Ms)}`,
  ].join("  ");
}

/** The summary, the per-method and per-step tables, and the first failures. */
export function renderResult(r: LoadResult): string {
  const seconds = r.durationMs / 1000;
  const model = r.rate === undefined ? "closed loop" : `${r.rate} arrivals/s`;
  const lines = [
    `${r.shoppers} shoppers (${model}) for ${seconds.toFixed(1)} s: ${r.visits} visits, ${r.calls} calls (${r.rps.toFixed(1)}/s), ` +
      `${r.errors} errors, ${r.declined} declined${r.dropped > 0 ? `, ${r.dropped} arrivals dropped (every shopper busy)` : ""}`,
    `Subscribe streams: ${r.streams.opened} opened, ${r.streams.open} held to the end, broken ${codes(r.streams.broken)}; ` +
      `${r.streams.messages} notifications received on them`,
    "",
    "per method",
    table(["method", "calls", "rps"], r.methods, seconds),
    "",
    "per scenario step (a step's calls together, without think time)",
    table(["step", "runs", "/s"], r.steps, seconds),
  ];
  if (r.failures.length > 0) {
    lines.push("", `first failures (${Math.min(r.failures.length, 10)} of ${r.errors}):`);
    for (const f of r.failures.slice(0, 10)) lines.push(`  ${f.at}  ${f.step} ${f.method}: ${f.error}`);
  }
  return `${lines.join("\n")}\n`;
}

function table([what, count, rate]: readonly [string, string, string], rows: Readonly<Record<string, CallStats>>, seconds: number): string {
  const t = new Table({
    head: [what, count, rate, "ok", "declined", "errors", "p50", "p90", "p99", "max"],
    colAligns: ["left", "right", "right", "right", "right", "left", "right", "right", "right", "right"],
    style: { head: [], border: [] },
    // No rule between rows: one line a row, as a terminal table reads best.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const [name, s] of Object.entries(rows)) {
    const l = s.latencyMs;
    t.push([
      name,
      s.calls,
      (s.calls / seconds).toFixed(1),
      s.ok,
      s.declined,
      codes(s.errors),
      formatMs(l.p50),
      formatMs(l.p90),
      formatMs(l.p99),
      formatMs(l.max),
    ]);
  }
  return t.toString();
}

/** "0", or the errors by code: "3 (UNAVAILABLE 2, INTERNAL 1)". */
function codes(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors);
  const total = entries.reduce((n, [, count]) => n + count, 0);
  return total === 0 ? "0" : `${total} (${entries.map(([code, n]) => `${code} ${n}`).join(", ")})`;
}
