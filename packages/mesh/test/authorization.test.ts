// Who may call what, as the generated sidecar configs say it: read from the topology, per method,
// per caller identity. The mesh tests show the same rules enforced by real Envoys.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { repoRoot } from "@shopmesh/testkit";
import { parse } from "yaml";
import { calleePolicies, identityCarriers, loadTopology, parseTopology, serviceNamed } from "../src/index.js";

const topologyPath = join(repoRoot, "deploy", "topology.yaml");
const topology = loadTopology(topologyPath);
const spiffe = (name: string) => `spiffe://shopmesh.local/svc/${name}`;

type Policy = {
  permissions: { url_path: { path: { exact: string } } }[];
  principals: { authenticated: { principal_name: Record<string, string> } }[];
};
const paths = (policy: unknown) => (policy as Policy).permissions.map((p) => p.url_path.path.exact);
const principals = (policy: unknown) => (policy as Policy).principals.map((p) => p.authenticated.principal_name);

describe("authorization at each callee's sidecar", () => {
  it("lets only the order service charge, void, refund and look up payments, and nobody else call payment", () => {
    const policies = calleePolicies(topology, serviceNamed(topology, "payment"));
    expect(Object.keys(policies).sort()).toEqual(["health-checks", "order"]);
    expect(principals(policies["order"])).toEqual([{ exact: spiffe("order") }]);
    expect(paths(policies["order"]).sort()).toEqual(
      ["Charge", "GetPayment", "Refund", "VoidCharge"].map((m) => `/shop.payment.v1.PaymentService/${m}`),
    );
    expect(paths(policies["health-checks"])).toEqual(["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"]);
    expect(principals(policies["health-checks"])).toEqual([{ prefix: "spiffe://shopmesh.local/" }]);
  });

  it("lets the gateway call only what the topology exposes, and reflection only where it is routed", () => {
    const catalog = calleePolicies(topology, serviceNamed(topology, "catalog"));
    expect(principals(catalog["gateway"])).toEqual([{ exact: "spiffe://shopmesh.local/gateway" }]);
    expect(paths(catalog["gateway"])).toContain("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
    expect(paths(catalog["gateway"])).not.toContain("/shop.catalog.v1.CatalogService/UpsertProduct");
    expect(Object.keys(catalog).sort()).toEqual(["cart", "gateway", "health-checks", "order"]);
    const cart = calleePolicies(topology, serviceNamed(topology, "cart"));
    expect(paths(cart["gateway"])).not.toContain("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
    expect(paths(cart["order"]).sort()).toEqual(["/shop.cart.v1.CartService/EmptyCart", "/shop.cart.v1.CartService/GetCart"]);
  });

  it("keeps a user's identity only from the gateway and from services that act for a user", () => {
    expect(identityCarriers(topology, serviceNamed(topology, "cart"))).toEqual(["spiffe://shopmesh.local/gateway", spiffe("order")]);
    // Cart calls catalog, but does not act for the user there: its copy of the header is removed.
    expect(identityCarriers(topology, serviceNamed(topology, "catalog"))).toEqual(["spiffe://shopmesh.local/gateway", spiffe("order")]);
    expect(identityCarriers(topology, serviceNamed(topology, "payment"))).toEqual(["spiffe://shopmesh.local/gateway", spiffe("order")]);
  });

  it("trusts a caller's identity header exactly when the topology says the caller acts for a user", () => {
    const file = parse(readFileSync(topologyPath, "utf8")) as { services: Record<string, { actsForUser?: boolean }> };
    const cart = file.services["cart"];
    if (cart === undefined) throw new Error("no cart service in the topology");
    cart.actsForUser = true;
    const changed = parseTopology(file, "topology");
    expect(identityCarriers(changed, serviceNamed(changed, "catalog"))).toContain(spiffe("cart"));
    expect(identityCarriers(topology, serviceNamed(topology, "catalog"))).not.toContain(spiffe("cart"));
  });

  it("refuses a rate limit on a method the gateway does not route", () => {
    const file = parse(readFileSync(topologyPath, "utf8")) as { gateway: { rateLimits: { methods: Record<string, unknown> } } };
    file.gateway.rateLimits.methods["shop.payment.v1.PaymentService/Charge"] = { perSecond: 1, burst: 1 };
    expect(() => parseTopology(file, "topology")).toThrow("the gateway does not route shop.payment.v1.PaymentService/Charge");
  });

  it("refuses a topology that grants a method the callee's contract does not have", () => {
    const file = parse(readFileSync(topologyPath, "utf8")) as { services: Record<string, { calls: Record<string, string[]> }> };
    const order = file.services["order"];
    if (order === undefined) throw new Error("no order service in the topology");
    order.calls["payment"] = ["Charge", "Chrage"];
    expect(() => parseTopology(file, "topology")).toThrow(
      "services.order.calls.payment: shop.payment.v1.PaymentService has no method Chrage",
    );
  });
});
