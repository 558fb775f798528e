// What an implementation must provide to join the mesh besides the contract, checked the same way
// for the TypeScript and the Go one: a bad variable stops it with the same one line; one JSON log
// line per RPC in the kit's fields, with the request id and the caller the headers carry; the
// kit's metric names on METRICS_PORT; B3 trace context joined and spans sent to Zipkin; a Unix
// socket instead of a port; and on SIGTERM, NOT_SERVING while it goes on answering for
// DRAIN_DELAY_MS, then a clean exit.
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createGrpcClient, identityHeader, requestIdHeader } from "@shopmesh/kit";
import { freePort, goService, nodeService } from "@shopmesh/launcher";
import { eventually, healthClient, startServiceProcess, testAddress, type Implementation, type ServiceProcess } from "@shopmesh/testkit";

const quote = { address: testAddress, items: [{ sku: "MUG-001", quantity: 1 }] };

/** The first line a process started with `env` (and nothing else) writes to stderr, and its exit code. */
function startFailure(impl: Implementation, env: Record<string, string>): { line: string; status: number | null } {
  const component = (impl === "go" ? goService : nodeService)({ service: "shipping", port: 0 });
  const { GRPC_PORT: _port, ...rest } = component.env ?? {};
  const run = spawnSync(component.command, component.args, { env: { ...rest, PATH: process.env["PATH"], ...env }, timeout: 20_000 });
  return { line: run.stderr.toString().split("\n")[0] ?? "", status: run.status };
}

/** The JSON lines a process wrote. */
function logLines(running: ServiceProcess): Record<string, unknown>[] {
  return running
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("a bad variable stops either implementation with the same one line", () => {
  const cases: Record<string, string>[] = [
    { GRPC_PORT: "abc", MONGO_URL: "mongodb://127.0.0.1:1" },
    { GRPC_PORT: "0" },
    { GRPC_PORT: "0", MONGO_URL: "http://user:secret@example.com", LOG_LEVEL: "loud", DRAIN_DELAY_MS: "-1" },
    { MONGO_URL: "mongodb://127.0.0.1:1" },
    { GRPC_PORT: "0", MONGO_URL: "mongodb://127.0.0.1:1", MONGO_DB: "no spaces", METRICS_PORT: "70000", SHUTDOWN_GRACE_MS: "0" },
  ];
  it.each(cases.map((env): [string, Record<string, string>] => [JSON.stringify(env), env]))("%s", (_name, env) => {
    const node = startFailure("node", env);
    const go = startFailure("go", env);
    expect(node.status).toBe(1);
    expect(node.line).toMatch(/^config: /);
    expect(node.line).not.toContain("secret");
    expect(go).toEqual(node);
  });
});

describe.each(["node", "go"] as const)("ShippingService in %s, as a citizen of the mesh", (impl) => {
  let running: ServiceProcess;
  let zipkin: Server;
  const spans: Record<string, unknown>[] = [];
  let metricsPort: number;

  beforeAll(async () => {
    zipkin = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        if (request.url === "/api/v2/spans") spans.push(...(JSON.parse(body) as Record<string, unknown>[]));
        response.writeHead(202).end();
      });
    });
    zipkin.listen(0, "127.0.0.1");
    await once(zipkin, "listening");
    const zipkinPort = (zipkin.address() as { port: number }).port;
    metricsPort = await freePort();
    running = await startServiceProcess("shipping", impl, {
      env: {
        METRICS_PORT: String(metricsPort),
        DRAIN_DELAY_MS: "1500",
        TRACING: "true",
        TRACING_ZIPKIN_URL: `http://127.0.0.1:${zipkinPort}/api/v2/spans`,
        TRACING_SERVICE_NAME: "shipping",
        TRACING_INSTANCE: "shipping-2",
      },
    });
  }, 60_000);

  afterAll(async () => {
    await running?.dispose();
    zipkin?.close();
  });

  it("logs one JSON line per RPC in the kit's fields, with the request id and the caller", async () => {
    const client = createGrpcClient(ShippingService, running.address, { defaultTimeoutMs: 5_000 });
    const requestId = `citizen-${impl}-${Date.now()}`;
    await client.getQuote(quote, { headers: { [requestIdHeader]: requestId, [identityHeader]: "user-42" } });
    await client.getShipment({}, { headers: { [requestIdHeader]: `${requestId}-bad` } }).catch(() => undefined);
    client.close();
    const line = await eventually(() => logLines(running).find((l) => l["request_id"] === requestId));
    // Tracing is on: a call that arrives without a trace starts one (sampled), and its line names it.
    const fields = ["code", "duration_ms", "level", "method", "msg", "request_id", "service", "span_id", "time", "trace_id", "user_id"];
    expect(Object.keys(line).sort()).toEqual(fields);
    expect(line).toMatchObject({
      level: "info",
      service: "shipping",
      msg: "rpc",
      method: "/shop.shipping.v1.ShippingService/GetQuote",
      code: "OK",
      user_id: "user-42",
    });
    expect(line["time"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof line["duration_ms"]).toBe("number");
    const failed = await eventually(() => logLines(running).find((l) => l["request_id"] === `${requestId}-bad`));
    expect(failed).toMatchObject({ level: "info", code: "INVALID_ARGUMENT", method: "/shop.shipping.v1.ShippingService/GetShipment" });
    expect(failed).not.toHaveProperty("user_id");
  });

  it("joins the caller's B3 trace: its span goes to Zipkin and its log line names the trace", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const requestId = `traced-${impl}-${Date.now()}`;
    const client = createGrpcClient(ShippingService, running.address, { defaultTimeoutMs: 5_000 });
    await client.getQuote(quote, {
      headers: { "x-b3-traceid": traceId, "x-b3-spanid": parentId, "x-b3-sampled": "1", [requestIdHeader]: requestId },
    });
    client.close();
    const span = await eventually(() => spans.find((s) => s["traceId"] === traceId), { timeoutMs: 10_000 });
    expect(span).toMatchObject({ parentId, kind: "SERVER", localEndpoint: expect.objectContaining({ serviceName: "shipping" }) });
    expect(String(span["name"]).toLowerCase()).toContain("shop.shipping.v1.shippingservice/getquote");
    const line = await eventually(() => logLines(running).find((l) => l["request_id"] === requestId));
    expect(line).toMatchObject({ trace_id: traceId, span_id: span["id"] });
  });

  it("counts every call on METRICS_PORT under the kit's metric names", async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const series = (name: string): Record<string, string>[] =>
      text
        .split("\n")
        .filter((l) => l.startsWith(`${name}{`))
        .map((l) => Object.fromEntries([...(l.match(/\{(.*)\}/)?.[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])));
    expect(series("grpc_server_handled_total")).toContainEqual({
      service: "shipping",
      grpc_service: "shop.shipping.v1.ShippingService",
      grpc_method: "GetQuote",
      grpc_code: "OK",
    });
    expect(series("grpc_server_handled_total")).toContainEqual(
      expect.objectContaining({ grpc_method: "GetShipment", grpc_code: "INVALID_ARGUMENT" }),
    );
    expect(series("grpc_server_handling_seconds_bucket")).toContainEqual(expect.objectContaining({ grpc_method: "GetQuote", le: "0.005" }));
  });

  // Last: it stops the process.
  it("on SIGTERM says NOT_SERVING while it goes on answering for DRAIN_DELAY_MS, then exits 0", async () => {
    const launched = running.launcher.running.find((r) => r.component.name === running.name);
    if (launched === undefined) throw new Error("not running");
    const health = healthClient(running.address);
    const client = createGrpcClient(ShippingService, running.address, { defaultTimeoutMs: 2_000 });
    try {
      expect(await health.check()).toBe("SERVING");
      const exited = once(launched.process, "exit");
      launched.process.kill("SIGTERM");
      await health.waitFor("NOT_SERVING");
      expect(await health.check("shop.shipping.v1.ShippingService")).toBe("NOT_SERVING");
      expect((await client.getQuote(quote)).estimatedDays).toBe(3);
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      const messages = logLines(running).map((l) => l["msg"]);
      expect(messages).toEqual(expect.arrayContaining(["shutting down", "draining: NOT_SERVING, still answering", "stopped"]));
    } finally {
      client.close();
      health.close();
    }
  }, 20_000);
});

describe.each(["node", "go"] as const)("ShippingService in %s behind a sidecar", (impl) => {
  let running: ServiceProcess;

  beforeAll(async () => {
    running = await startServiceProcess("shipping", impl, { socket: true });
  }, 60_000);

  afterAll(async () => {
    await running?.dispose();
  });

  it("listens on the Unix socket GRPC_SOCKET names, and on no port", async () => {
    expect(running.address).toMatch(/^unix:\//);
    const client = createGrpcClient(ShippingService, running.address, { defaultTimeoutMs: 5_000 });
    expect((await client.getQuote(quote)).estimatedDays).toBe(3);
    client.close();
    const listening = logLines(running).find((l) => l["msg"] === "listening");
    expect(listening).toMatchObject({ address: running.address, serving: true });
  });
});
