// Free ports for tests: never one an outgoing connection could take as its source port before the
// test binds it (the kernel's ephemeral range), and never the same one twice while it is claimed.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "@jest/globals";
import { freePort } from "../src/index.js";

describe("freePort", () => {
  it("gives ports below the kernel's ephemeral range, each one bindable and none twice", async () => {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port).toBeLessThan(low ?? 32_768);
    const server = createServer();
    server.listen(ports[0], "127.0.0.1");
    await once(server, "listening");
    server.close();
  });
});
