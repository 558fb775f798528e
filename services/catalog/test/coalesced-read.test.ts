// The shared version read, as plain functions: a call never gets a read that began before it.
import { describe, expect, it } from "@jest/globals";
import { coalescedRead } from "../src/store/coalesced-read.js";

/** A read that resolves when told, numbering itself in the order reads started. */
function controlledReads() {
  const pending: (() => void)[] = [];
  let started = 0;
  const read = () =>
    new Promise<number>((resolve) => {
      started++;
      const n = started;
      pending.push(() => resolve(n));
    });
  const finishNext = async () => {
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { read, finishNext, started: () => started };
}

describe("coalescedRead", () => {
  it("gives callers that come during a read the next read, shared, and starts it when the first ends", async () => {
    const reads = controlledReads();
    const current = coalescedRead(reads.read);
    const first = current();
    const second = current();
    const third = current();
    expect(reads.started()).toBe(1);
    await reads.finishNext();
    expect(await first).toBe(1);
    expect(reads.started()).toBe(2);
    const fourth = current();
    await reads.finishNext();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    // The fourth came while read 2 ran: it waits for read 3.
    expect(reads.started()).toBe(3);
    await reads.finishNext();
    expect(await fourth).toBe(3);
  });

  it("passes a failed read to its callers, and reads again for the next ones", async () => {
    let calls = 0;
    const current = coalescedRead(async () => {
      calls++;
      if (calls === 1) throw new Error("store down");
      return calls;
    });
    await expect(current()).rejects.toThrow("store down");
    expect(await current()).toBe(2);
  });
});
