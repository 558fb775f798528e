// The soak's full GC of a running Node process from outside it: the garbage the process has not
// collected yet is gone afterwards and the process goes on running; its inspector is closed again,
// so the same process can be collected again; a process that is not there, or not Node, is an answer,
// not a throw.
import { afterEach, describe, expect, it } from "@jest/globals";
import { type ChildProcess, spawn } from "node:child_process";
import { accepts, freePort } from "@shopmesh/launcher";
import { forceFullGc } from "../bench/full-gc.js";

// Holds 64 MiB of arrays for a moment, then lets go of them without allocating more: the garbage
// stays in the heap until a full GC. Each message makes it hold 64 MiB again and let go. It keeps a
// 16 MiB Buffer all along.
const holder = `
const kept = Buffer.alloc(16 * 2 ** 20); // native memory JavaScript holds: V8 counts it as external
const garbage = () => { let held = Array.from({ length: 64 }, () => new Array(128 * 1024).fill(0.5)); held = undefined; };
process.on("message", (ask) => {
  if (ask === "garbage") garbage();
  process.send(process.memoryUsage().heapUsed / 2 ** 20);
});
`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** A Node process whose SIGUSR1 opens its inspector on `port` (a free one, not Node's 9229). */
function startHolder(port: number): { pid: number; ask: (what: "garbage" | "heap") => Promise<number>; running: () => boolean } {
  const child = spawn(process.execPath, [`--inspect-port=${port}`, "-e", holder], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
  children.push(child);
  if (child.pid === undefined) throw new Error("the holder did not start");
  const ask = (what: "garbage" | "heap"): Promise<number> =>
    new Promise((resolve, reject) => {
      child.once("message", (mib) => resolve(Number(mib)));
      child.once("exit", (code) => reject(new Error(`the holder exited (${code})`)));
      child.send(what);
    });
  return { pid: child.pid, ask, running: () => child.exitCode === null && child.signalCode === null };
}

describe("forceFullGc", () => {
  it("collects what a process no longer holds, twice, and leaves its inspector closed", async () => {
    const port = await freePort();
    const holder = startHolder(port);
    for (let round = 0; round < 2; round++) {
      const before = await holder.ask("garbage");
      expect(before).toBeGreaterThan(60);
      const gc = await forceFullGc(holder.pid, port);
      expect(gc).toMatchObject({ done: true });
      const after = await holder.ask("heap");
      expect(after).toBeLessThan(before - 50);
      // What it read in the process right after the GC is what the process says now.
      expect(gc.done && Math.abs(gc.heapMiB - after)).toBeLessThan(5);
      // The heap's room, space by space, holds what is in use.
      if (!gc.done) throw new Error(gc.why);
      const spaces = Object.values(gc.spacesMiB).reduce((sum, mib) => sum + mib, 0);
      expect(gc.spacesMiB["old_space"]).toBeGreaterThan(0);
      expect(gc.spacesMiB["new_space"]).toBeGreaterThan(0);
      expect(Math.abs(spaces - gc.heapCommittedMiB)).toBeLessThan(0.5);
      expect(gc.externalMiB).toBeGreaterThanOrEqual(16);
      expect(await accepts(port)).toBe(false);
      expect(holder.running()).toBe(true);
    }
  });

  it("answers why not for a process that is not there", async () => {
    const holder = startHolder(await freePort());
    await holder.ask("heap");
    children[0]?.kill("SIGKILL");
    await new Promise((resolve) => children[0]?.once("exit", resolve));
    await expect(forceFullGc(holder.pid)).resolves.toEqual({ done: false, why: `no such process: ${holder.pid}` });
    await expect(forceFullGc(0)).resolves.toEqual({ done: false, why: "no such process: 0" });
  });

  it("leaves a process that is not Node alone: SIGUSR1 would end it", async () => {
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    children.push(other);
    await expect(forceFullGc(other.pid ?? Number.NaN)).resolves.toEqual({ done: false, why: "sleep, not Node" });
    expect(other.exitCode === null && other.signalCode === null).toBe(true);
  });
});
