// What a process costs the machine: RSS counts every page it touches, its share of the Node or
// Envoy binary's code included, so twenty processes of one binary count that code twenty times;
// PSS splits each shared page between the processes that map it, so the PSS of all processes adds
// up to what they really take. Both come from /proc/<pid>/smaps_rollup (Linux).
import { readFileSync } from "node:fs";
import type { RunningShop } from "../src/index.js";

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

/** Every process of the shop and this one (which supervises them, as `make up`'s process does). */
export function shopMemory(shop: RunningShop): ShopMemory {
  const byName = new Map<string, Memory>(shop.running.map((r) => [r.component.name, memoryOf(r.pid)]));
  byName.set("launcher", memoryOf(process.pid));
  const groupOf = (name: string): string => {
    const component = shop.running.find((r) => r.component.name === name)?.component;
    if (component === undefined) return "the launcher: this benchmark's process, which supervises the shop as `make up`'s does";
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
