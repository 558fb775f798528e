// KeyedMutex: one critical section at a time per key, in call order; other keys are not held up.
import { describe, expect, it } from "@jest/globals";
import { KeyedMutex } from "../src/store/keyed-mutex.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("KeyedMutex", () => {
  it("runs the sections of one key one after another, in call order", async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const section = (name: string) => async () => {
      events.push(`${name} in`);
      await tick();
      events.push(`${name} out`);
      return name;
    };
    const results = await Promise.all([mutex.run("k", section("a")), mutex.run("k", section("b")), mutex.run("k", section("c"))]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(events).toEqual(["a in", "a out", "b in", "b out", "c in", "c out"]);
  });

  it("lets different keys run at the same time", async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    await Promise.all(
      ["x", "y"].map((key) =>
        mutex.run(key, async () => {
          events.push(`${key} in`);
          await tick();
          events.push(`${key} out`);
        }),
      ),
    );
    expect(events).toEqual(["x in", "y in", "x out", "y out"]);
  });

  it("goes on after a section fails, passing the failure to its caller only", async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run("k", async () => {
      throw new Error("boom");
    });
    const next = mutex.run("k", async () => "fine");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("fine");
  });
});
