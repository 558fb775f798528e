// The storefront's static server: the page, /config.json naming the gateway, nothing else.
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { Server } from "node:http";
import { createWebServer, loadConfig } from "../serve.mjs";

describe("loadConfig", () => {
  it("names each bad variable and what it expects", () => {
    expect(() => loadConfig({ WEB_PORT: "web", GATEWAY_URL: "127.0.0.1:7100" })).toThrow(
      /WEB_PORT must be an integer 0\.\.65535.*\(got "web"\).*GATEWAY_URL must be the gateway's http\(s\) URL/,
    );
    expect(() => loadConfig({})).toThrow(/WEB_PORT .*\(not set\).*GATEWAY_URL .*\(not set\)/);
  });

  it("takes a port and the gateway's URL", () => {
    expect(loadConfig({ WEB_PORT: "0", GATEWAY_URL: "http://127.0.0.1:7100/" })).toEqual({ port: 0, gatewayUrl: "http://127.0.0.1:7100" });
  });
});

describe("the web server", () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createWebServer({ port: 0, gatewayUrl: "http://127.0.0.1:7100" });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  });

  it("tells the page where the gateway is", async () => {
    const res = await fetch(`${base}/config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ gatewayUrl: "http://127.0.0.1:7100" });
  });

  it("serves the page, allowing calls only to itself and the gateway", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="app">');
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self' http://127.0.0.1:7100");
  });

  it("answers 404 for unknown paths and 405 for anything but GET and HEAD", async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/config.json`, { method: "POST" })).status).toBe(405);
  });
});
