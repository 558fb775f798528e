// Each benchmark owns one section of docs/benchmarks.md, between `<!-- bench-<name>:start -->` and
// `<!-- bench-<name>:end -->`, and rewrites only that. The targets table at the top is assembled
// from docs/bench-targets.json, where each benchmark keeps its own rows, so running one benchmark
// updates its rows and leaves the others' as their last run left them (each row says when).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { repoRoot } from "./tools.js";

const docPath = join(repoRoot, "docs", "benchmarks.md");
const targetsPath = join(repoRoot, "docs", "bench-targets.json");

/** "2 × AMD EPYC …, Node v24…": what a section says it ran on. */
export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}`;
}

/** Puts `section` (its markers included) in place of the old one, or at the end; returns the file's path. */
export function writeBenchSection(name: string, section: string): string {
  replaceSection(`bench-${name}`, section);
  return docPath;
}

/** One line of the targets table: what we aim for, what this run measured, and whether that meets it. */
export interface TargetRow {
  readonly target: string;
  readonly measured: string;
  /** true: met; false: not met; a string: met in part, saying which part (shown after "partly:"). */
  readonly met: boolean | string;
}

interface StoredRow extends TargetRow {
  readonly bench: string;
  readonly date: string;
}

/** Replaces `bench`'s rows of the targets table with `rows` (dated today) and rewrites the table. */
export function writeBenchTargets(bench: string, rows: readonly TargetRow[]): void {
  const stored: StoredRow[] = existsSync(targetsPath) ? JSON.parse(readFileSync(targetsPath, "utf8")) : [];
  const date = new Date().toISOString().slice(0, 10);
  const kept = stored.filter((row) => row.bench !== bench);
  const next = [...kept, ...rows.map((row) => ({ bench, date, ...row }))].sort((a, b) => a.bench.localeCompare(b.bench));
  writeFileSync(targetsPath, `${JSON.stringify(next, null, 2)}\n`);
  const verdict = (met: boolean | string): string => (met === true ? "met" : met === false ? "not met" : `partly: ${met}`);
  const lines = [
    "<!-- targets:start -->",
    "## Where we stand against our targets",
    "",
    "Each row comes from the benchmark named in it (`make bench-<name>`), on the date given.",
    "",
    "| target | measured | | benchmark |",
    "| --- | --- | --- | --- |",
    ...next.map((row) => `| ${row.target} | ${row.measured} | ${verdict(row.met)} | ${row.bench}, ${row.date} |`),
    "<!-- targets:end -->",
  ];
  replaceSection("targets", lines.join("\n"), true);
}

/** Swaps the section between `<!-- <marker>:start -->` and `:end -->`, or adds it (first, or at the end). */
function replaceSection(marker: string, section: string, first = false): void {
  const current = existsSync(docPath) ? readFileSync(docPath, "utf8") : "# Benchmarks\n";
  const pattern = new RegExp(`<!-- ${marker}:start -->[\\s\\S]*<!-- ${marker}:end -->`);
  if (pattern.test(current)) {
    writeFileSync(docPath, current.replace(pattern, section));
  } else if (first) {
    const at = current.indexOf("\n## ");
    writeFileSync(docPath, at < 0 ? `${current.trimEnd()}\n\n${section}\n` : `${current.slice(0, at + 1)}${section}\n${current.slice(at)}`);
  } else {
    writeFileSync(docPath, `${current.trimEnd()}\n\n${section}\n`);
  }
}
