// deploy/faults.yaml as plain data: what a scenario may name is checked against the topology and
// the contracts, and each becomes a fault filter that is off until its runtime keys are set.
import { describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { repoRoot } from "@shopmesh/testkit";
import { faultRuntimeKeys, loadTopology, parseFaults, sidecarConfig, type Topology } from "../src/index.js";

const topology: Topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
const scenario = (s: Record<string, unknown>) =>
  parseFaults({ scenarios: { broken: { description: "d", ...s } } }, "faults.yaml", topology);

describe("fault scenarios", () => {
  it("are read from faults.yaml beside the topology", () => {
    const payment = topology.faults.find((s) => s.name === "payment-failure");
    expect(payment).toMatchObject({ services: ["payment"], methods: ["Charge"], abort: { code: 14, percent: 100 } });
    expect(topology.faults.find((s) => s.name === "unavailable-once")?.services).toHaveLength(topology.services.length);
  });

  it("refuse unknown services and methods, bad codes, and a scenario that does nothing", () => {
    expect(() => scenario({ service: "nope", abort: { code: "UNAVAILABLE", percent: 1 } })).toThrow(/unknown service nope/);
    expect(() => scenario({ service: "payment", methods: ["Chrage"], abort: { code: "UNAVAILABLE", percent: 1 } })).toThrow(
      /shop.payment.v1.PaymentService has no method Chrage/,
    );
    expect(() => scenario({ service: "payment", abort: { code: "OOPS", percent: 1 } })).toThrow(/must be a gRPC code name/);
    expect(() => scenario({ service: "payment" })).toThrow(/needs an abort or a delay/);
    expect(() => scenario({ service: "all", replica: 2, delay: { ms: 5, percent: 1 } })).toThrow(/replica needs one service/);
  });

  it("are fault filters off by default, switched by runtime keys in the admin layer", () => {
    const payment = topology.services.find((s) => s.name === "payment");
    const replica = payment?.replicas[0];
    if (payment === undefined || replica === undefined) throw new Error("no payment");
    const files = { logDir: "/l", pkiDir: "/p", socketDir: "/s", jwksPath: "/j" };
    const config = sidecarConfig(topology, payment, replica, files) as {
      layered_runtime: unknown;
      static_resources: { listeners: { name: string; filter_chains: { filters: { typed_config: { http_filters: Filter[] } }[] }[] }[] };
    };
    expect(config.layered_runtime).toEqual({ layers: [{ name: "admin", admin_layer: {} }] });
    const ingress = config.static_resources.listeners.find((l) => l.name === "ingress");
    const filters = ingress?.filter_chains[0]?.filters[0]?.typed_config.http_filters ?? [];
    const charge = filters.find((f) => f.name === "shopmesh.fault.payment-failure")?.typed_config;
    expect(charge).toMatchObject({
      headers: [{ name: ":path", string_match: { safe_regex: { regex: "^(/shop\\.payment\\.v1\\.PaymentService/(Charge))$" } } }],
      abort: { grpc_status: 14, percentage: { numerator: 0, denominator: "HUNDRED" } },
      abort_percent_runtime: faultRuntimeKeys("payment-failure").abortPercent,
      abort_grpc_status_runtime: faultRuntimeKeys("payment-failure").grpcStatus,
    });
    // After authorization, before the router.
    const names = filters.map((f) => f.name);
    expect(names.indexOf("shopmesh.fault.payment-failure")).toBeGreaterThan(names.indexOf("envoy.filters.http.rbac"));
    expect(names.at(-1)).toBe("envoy.filters.http.router");
  });
});

interface Filter {
  readonly name: string;
  readonly typed_config: Record<string, unknown>;
}
