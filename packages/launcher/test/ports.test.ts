// Free ports for tests: never one an outgoing connection could take as its source port before the
// test binds it (the kernel's ephemeral range), and never the same one twice while it is claimed.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import { freePort } from "../src/index.js";

describe("freePort", () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("gives bindable ports below the kernel's ephemeral range", async () => {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeLessThan(low ?? 32_768);
      const server = createServer();
      server.listen(port, "127.0.0.1");
      await once(server, "listening");
      server.close();
      await once(server, "close");
    }
  });

  it("does not give a port again while it is claimed, even one nobody has bound yet", async () => {
    const port = await freePort();
    // Every draw lands on that same port: only its claim keeps it from being given twice.
    jest.spyOn(Math, "random").mockReturnValue((port - 12_000 + 0.5) / 8_000);
    await expect(freePort()).rejects.toThrow("no free port between 12000 and 19999");
  });
});
