// What a process costs the machine: RSS counts every page it touches, its share of the Node or
// Envoy binary's code included, so twenty processes of one binary count that code twenty times;
// PSS splits each shared page between the processes that map it, so the PSS of all processes adds
// up to what they really take. Both come from /proc/<pid>/smaps_rollup (Linux).
import { readFileSync } from "node:fs";
import type { ShopState } from "../src/index.js";

export interface Memory {
  readonly rssMiB: number;
  readonly pssMiB: number;
}

const noMemory: Memory = { rssMiB: 0, pssMiB: 0 };

/** The process's RSS and PSS in MiB, or zeros if it is gone. */
export function memoryOf(pid: number): Memory {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  } catch {
    return noMemory;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? "0") / 1024;
  return { rssMiB: field("Rss"), pssMiB: field("Pss") };
}

export const sumMemory = (memories: readonly Memory[]): Memory =>
  memories.reduce((a, b) => ({ rssMiB: a.rssMiB + b.rssMiB, pssMiB: a.pssMiB + b.pssMiB }), noMemory);

/** "123 / 45": RSS / PSS in whole MiB, as the tables show them. */
export const mib = (memory: Memory): string => `${Math.round(memory.rssMiB)} / ${Math.round(memory.pssMiB)}`;

export interface Group {
  readonly name: string;
  readonly count: number;
  readonly memory: Memory;
}

export interface ShopMemory {
  readonly total: Memory;
  readonly processes: number;
  readonly groups: readonly Group[];
  readonly byName: ReadonlyMap<string, Memory>;
}

/** A shop's processes, and the one that supervises them. */
export interface ShopProcesses {
  readonly components: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly pid: number }>;
  readonly launcher: { readonly pid: number; readonly label: string };
}

/** A shop `make up` runs, from the state it wrote: its process is the launcher. */
export const upProcesses = (state: ShopState): ShopProcesses => ({
  components: state.components,
  launcher: { pid: state.pid, label: "the launcher: `make up`'s process" },
});

/** Every process of the shop and its launcher. */
export function shopMemory(shop: ShopProcesses): ShopMemory {
  const byName = new Map<string, Memory>(shop.components.map((c) => [c.name, memoryOf(c.pid)]));
  byName.set("launcher", memoryOf(shop.launcher.pid));
  const groupOf = (name: string): string => {
    const component = shop.components.find((c) => c.name === name);
    if (component === undefined) return shop.launcher.label;
    if (component.kind === "service") return "Node services";
    if (component.kind === "sidecar") return "Envoy sidecars";
    if (component.kind === "gateway") return "the Envoy gateway";
    if (name === "zipkin") return "Zipkin";
    if (name === "web") return "the storefront's web server";
    return "stores and broker";
  };
  const groups = new Map<string, { count: number; memories: Memory[] }>();
  for (const [name, memory] of byName) {
    const group = groups.get(groupOf(name)) ?? { count: 0, memories: [] };
    group.count++;
    group.memories.push(memory);
    groups.set(groupOf(name), group);
  }
  return {
    total: sumMemory([...byName.values()]),
    processes: byName.size,
    groups: [...groups].map(([name, g]) => ({ name, count: g.count, memory: sumMemory(g.memories) })),
    byName,
  };
}
