// Each benchmark owns one section of docs/benchmarks.md, between `<!-- bench-<name>:start -->` and
// `<!-- bench-<name>:end -->`, and rewrites only that.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@shopmesh/launcher";

/** Puts `section` (its markers included) in place of the old one, or at the end; returns the file's path. */
export function writeBenchSection(name: string, section: string): string {
  const path = join(repoRoot, "docs", "benchmarks.md");
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n";
  const marker = new RegExp(`<!-- bench-${name}:start -->[\\s\\S]*<!-- bench-${name}:end -->`);
  writeFileSync(path, marker.test(current) ? current.replace(marker, section) : `${current.trimEnd()}\n\n${section}\n`);
  return path;
}
