// What a V8 CPU profile (`node --cpu-prof`) says a process spent its time on: self time summed by
// where the code comes from (a package of node_modules, a part of Node, the shop's own code, the
// garbage collector) and by function. For the benchmarks that ask what sets a ceiling.
import { readFileSync } from "node:fs";
import { repoRoot } from "@shopmesh/launcher";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface CpuShare {
  readonly what: string;
  readonly ms: number;
}

export interface CpuSummary {
  /**
   * The time the samples stand for, in ms, but those V8 marked idle. More than the CPU the process
   * used: Node does not mark its waits idle, so only the shares compare.
   */
  readonly sampledMs: number;
  /** Self time by origin, most first. */
  readonly byOrigin: readonly CpuShare[];
  /** Self time by function, most first. */
  readonly byFunction: readonly CpuShare[];
}

/** "mongodb", "@grpc/grpc-js", "node:net", "services/order", "(garbage collector)", … */
function originOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(V8 and native code)";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const [scope = "", name = ""] = url.slice(modules + "/node_modules/".length).split("/");
    return scope.startsWith("@") ? `${scope}/${name}` : scope;
  }
  if (url.startsWith("node:")) return url;
  const path = url.replace(/^file:\/\//, "");
  if (path.startsWith(`${repoRoot}/`))
    return path
      .slice(repoRoot.length + 1)
      .split("/")
      .slice(0, 2)
      .join("/");
  return path;
}

function ranked(totals: ReadonlyMap<string, number>): CpuShare[] {
  return [...totals].map(([what, us]) => ({ what, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
}

/** Reads and sums the profile at `file`. */
export function summarizeCpuProfile(file: string): CpuSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let sampledUs = 0;
  for (const [i, id] of profile.samples.entries()) {
    // Each sample stands for the time until the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = (nodes.get(id) as ProfileNode).callFrame;
    if (functionName === "(idle)") continue;
    sampledUs += us;
    const origin = originOf(url, functionName);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
    const fn = url === "" ? origin : `${functionName || "(anonymous)"} ${origin}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  return { sampledMs: sampledUs / 1000, byOrigin: ranked(byOrigin), byFunction: ranked(byFunction) };
}
