// The soak's full GC of a running Node process from outside it: the garbage a process has not
// collected yet is gone afterwards, the process goes on running, and its inspector is closed again,
// so the next process can be collected the same way.
import { afterEach, describe, expect, it } from "@jest/globals";
import { type ChildProcess, spawn } from "node:child_process";
import { forceFullGc, inspectorPort } from "../bench/full-gc.js";

// Holds 64 MiB of arrays for a moment, then lets go of them without allocating more: the garbage
// stays in the heap until a full GC. Answers each message with its heap in use.
const holder = `
let held = Array.from({ length: 64 }, () => new Array(128 * 1024).fill(0.5));
setTimeout(() => { held = undefined; process.send("ready"); }, 100);
process.on("message", () => process.send(process.memoryUsage().heapUsed / 2 ** 20));
`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

async function startHolder(): Promise<{ child: ChildProcess; heapMiB: () => Promise<number> }> {
  const child = spawn(process.execPath, ["-e", holder], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
  children.push(child);
  await new Promise((resolve) => child.once("message", resolve));
  const heapMiB = (): Promise<number> =>
    new Promise((resolve) => {
      child.once("message", (mib) => resolve(Number(mib)));
      child.send("heap");
    });
  return { child, heapMiB };
}

const inspectorOpen = (): Promise<boolean> =>
  fetch(`http://127.0.0.1:${inspectorPort}/json/version`).then(
    () => true,
    () => false,
  );

describe("forceFullGc", () => {
  it("collects what a process no longer holds, and leaves the inspector closed for the next one", async () => {
    for (let i = 0; i < 2; i++) {
      const { child, heapMiB } = await startHolder();
      const before = await heapMiB();
      expect(before).toBeGreaterThan(60);
      await expect(forceFullGc(child.pid ?? 0)).resolves.toEqual({ done: true });
      expect(await heapMiB()).toBeLessThan(before - 50);
      expect(await inspectorOpen()).toBe(false);
    }
  });
});
