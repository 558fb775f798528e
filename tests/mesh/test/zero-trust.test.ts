// Zero trust behind the gateway, against real Envoys: a sidecar talks only mutual TLS with the
// mesh's own certificates, authorizes each caller per method from the topology, keeps a user's
// identity only from peers trusted to carry it, and no service is reachable but through its
// sidecar. Certificates rotate under traffic without a failed call, and the edge throttles guessing.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Code } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { identityHeader } from "@shopmesh/kit";
import { egressSocket, issueCertificates, portSpan, serviceNamed, workloadFiles } from "@shopmesh/mesh";
import { accepts, eventually, grpcurl, rejection, repoRoot } from "@shopmesh/testkit";
import { newShopper, startTestMesh, type TestMesh } from "./support.js";

let mesh: TestMesh;
let foreignPki: string;

beforeAll(async () => {
  mesh = await startTestMesh();
  // A CA the mesh does not trust, with a certificate that claims to be the order service.
  foreignPki = mkdtempSync(join(tmpdir(), "shopmesh-foreign-ca-"));
  await issueCertificates([{ name: "order", spiffeId: "spiffe://shopmesh.local/svc/order" }], { dir: foreignPki });
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
  rmSync(foreignPki, { recursive: true, force: true });
}, 60_000);

const schema = ["-import-path", join(repoRoot, "proto"), "-import-path", join(repoRoot, ".build", "proto-deps")];

/** grpcurl straight at a sidecar's ingress, as a process on the host would, with `identity`'s certificate. */
function atIngress(service: string, method: string, identity: "none" | "plaintext" | { pki: string; workload: string }, data: unknown) {
  const node = serviceNamed(mesh.shop.topology, service);
  const proto = ["-proto", `shop/${service}/v1/${service}.proto`];
  const address = `127.0.0.1:${node.ingressPort}`;
  const call = `${node.service}/${method}`;
  // A refused handshake is retried by grpcurl until its time runs out: 2 s is plenty on loopback.
  if (identity === "plaintext") return grpcurl([...schema, ...proto, address, call], { data, timeoutMs: 2_000 });
  const cert =
    identity === "none"
      ? []
      : [
          "-cert",
          workloadFiles(identity.pki, identity.workload).certificate,
          "-key",
          workloadFiles(identity.pki, identity.workload).privateKey,
        ];
  // The sidecar's certificate names a SPIFFE ID, not a host name: grpcurl checks the chain, not the name.
  return grpcurl(["-insecure", ...cert, ...schema, ...proto, address, call], { data, timeoutMs: 2_000, plaintext: false });
}
const as = (workload: string) => ({ pki: mesh.shop.dirs.pkiDir, workload });

describe("a sidecar's ingress", () => {
  const lookUp = { idempotency_key: "no-such-payment" };

  it("refuses plaintext, no certificate, and a certificate from another CA at the handshake", async () => {
    for (const identity of ["plaintext", "none", { pki: foreignPki, workload: "order" }] as const) {
      const result = await atIngress("payment", "GetPayment", identity, lookUp);
      // grpcurl never got as far as a call: no gRPC status, only a failed dial.
      expect(result.exitCode).not.toBe(0);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain('Failed to dial target host "127.0.0.1:');
      expect(result.stderr).not.toContain("Code:");
    }
  });

  it("answers the same call with the certificate of a caller the topology allows", async () => {
    const result = await atIngress("payment", "GetPayment", as("order"), lookUp);
    // The call reached the payment service: there is no such payment.
    expect(result.stderr).toContain("Code: NotFound");
  });
});

describe("authorization per method", () => {
  const charge = { idempotency_key: "zero-trust-1", amount: { currency_code: "USD", units: 1 }, card: {} };

  it("refuses a caller the topology does not allow with PERMISSION_DENIED, naming nothing internal", async () => {
    const result = await atIngress("payment", "Charge", as("cart"), charge);
    expect(result.stderr).toContain("Code: PermissionDenied");
    expect(result.stderr).not.toMatch(/spiffe|policy|order/i);
  });

  it("lets the order service call Charge (its bad card is the service's own INVALID_ARGUMENT)", async () => {
    const result = await atIngress("payment", "Charge", as("order"), charge);
    expect(result.stderr).toContain("Code: InvalidArgument");
  });

  it("refuses the gateway's certificate on a method the topology keeps internal", async () => {
    expect((await atIngress("payment", "Charge", as("gateway"), charge)).stderr).toContain("Code: PermissionDenied");
    expect((await atIngress("catalog", "UpsertProduct", as("gateway"), { product: {} })).stderr).toContain("Code: PermissionDenied");
  });
});

describe("the user's identity behind the gateway", () => {
  /** The catalog's own log line for its latest GetProduct: whether the service saw a user. */
  async function catalogSawUser(identity: string): Promise<unknown> {
    // The whole log file, not the launcher's rolling buffer of recent output.
    const logFile = join(mesh.shop.dirs.logDir, "catalog.log");
    const getProductLines = () =>
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter((l) => l.includes("CatalogService/GetProduct"));
    const before = getProductLines().length;
    const result = await grpcurl(
      [
        "-insecure",
        "-cert",
        workloadFiles(mesh.shop.dirs.pkiDir, identity).certificate,
        "-key",
        workloadFiles(mesh.shop.dirs.pkiDir, identity).privateKey,
        "-H",
        `${identityHeader}: mallory`,
        ...schema,
        "-proto",
        "shop/catalog/v1/catalog.proto",
        `127.0.0.1:${serviceNamed(mesh.shop.topology, "catalog").ingressPort}`,
        "shop.catalog.v1.CatalogService/GetProduct",
      ],
      { data: { id: "no-such-product" }, plaintext: false, timeoutMs: 5_000 },
    );
    expect(result.stderr).toContain("Code: NotFound");
    // The service logs the call as it answers; the launcher writes the line to the file just after.
    const line = await eventually(() => getProductLines()[before], { what: "catalog's log line for the call" });
    return (JSON.parse(line) as { user_id?: string }).user_id;
  }

  it("is removed when a peer that does not act for users sends it, and kept from one that does", async () => {
    expect(await catalogSawUser("cart")).toBeUndefined();
    expect(await catalogSawUser("order")).toBe("mallory");
  });

  it("still keeps one user out of another's cart through the gateway", async () => {
    const alice = await newShopper(mesh);
    const bob = await newShopper(mesh);
    const catalog = mesh.grpc(CatalogService);
    const { products } = await catalog.listProducts({ pageSize: 1 });
    const cart = mesh.grpc(CartService);
    await cart.addItem({ productId: products[0]?.id ?? "", quantity: 1 }, { headers: alice.headers });
    const bobs = await cart.getCart({}, { headers: { ...bob.headers, [identityHeader]: alice.userId } });
    expect(bobs.cart?.lines ?? []).toEqual([]);
    const alices = await cart.getCart({}, { headers: alice.headers });
    expect(alices.cart?.itemCount).toBe(1);
  });
});

describe("a service's own egress", () => {
  /** A call as the cart service would make it, out through its sidecar's egress socket. */
  const fromCart = (call: string, data: unknown) =>
    grpcurl(
      [
        ...schema,
        "-proto",
        `shop/${call.split(".")[1]}/v1/${call.split(".")[1]}.proto`,
        `unix://${egressSocket(mesh.shop.dirs, "cart")}`,
        call,
      ],
      {
        data,
        timeoutMs: 5_000,
      },
    );

  it("refuses with PERMISSION_DENIED a method the topology does not grant the caller", async () => {
    const charge = await fromCart("shop.payment.v1.PaymentService/Charge", { idempotency_key: "from-cart" });
    expect(charge.stderr).toContain("Code: PermissionDenied");
    const upsert = await fromCart("shop.catalog.v1.CatalogService/UpsertProduct", { product: {} });
    expect(upsert.stderr).toContain("Code: PermissionDenied");
  });

  it("routes a granted one to the callee", async () => {
    const granted = await fromCart("shop.catalog.v1.CatalogService/GetProduct", { id: "no-such-product" });
    expect(granted.stderr).toContain("Code: NotFound");
  });
});

describe("reaching a service", () => {
  it("is possible only through its sidecar: nothing but the mesh's own listeners answers on TCP", async () => {
    const { topology } = mesh.shop;
    const expected = new Set([
      topology.gateway.port,
      topology.gateway.tlsPort,
      topology.gateway.adminPort,
      topology.webPort,
      ...topology.stores.map((s) => s.port),
      // The broker: clients only with a mesh certificate over TLS; its monitoring is read-only.
      ...(topology.broker === undefined ? [] : [topology.broker.port, topology.broker.monitorPort]),
      ...topology.services.flatMap((s) => s.replicas.flatMap((r) => [r.ingressPort, r.adminPort, r.metricsPort])),
    ]);
    const listening: number[] = [];
    for (let port = topology.base; port < topology.base + portSpan; port++) if (await accepts(port)) listening.push(port);
    expect(listening.filter((port) => !expected.has(port))).toEqual([]);
  });
});

describe("certificate rotation", () => {
  async function serials(adminPort: number): Promise<string[]> {
    const certs = (await (await fetch(`http://127.0.0.1:${adminPort}/certs`)).json()) as {
      certificates: { cert_chain: { serial_number: string }[] }[];
    };
    return certs.certificates.flatMap((c) => c.cert_chain.map((x) => x.serial_number));
  }

  it("swaps every certificate under traffic without a restart or a failed call", async () => {
    const { topology } = mesh.shop;
    const admins = [topology.gateway.adminPort, ...topology.services.map((s) => s.adminPort)];
    const before = await Promise.all(admins.map(serials));
    const pids = mesh.shop.running.map((r) => r.pid);
    const catalog = mesh.grpc(CatalogService);
    const { products } = await catalog.listProducts({ pageSize: 1 });
    const id = products[0]?.id ?? "";
    let calls = 0;
    const failures: unknown[] = [];
    let flowing = true;
    const traffic = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (flowing) {
          await catalog.getProduct({ id }).then(
            () => calls++,
            (err: unknown) => failures.push(err),
          );
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    await mesh.shop.rotateCertificates();
    await new Promise((r) => setTimeout(r, 1_000));
    await mesh.shop.rotateCertificates();
    await new Promise((r) => setTimeout(r, 1_000));
    flowing = false;
    await traffic;
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    const after = await Promise.all(admins.map(serials));
    // Every Envoy now holds a certificate it did not hold before, under the same pid.
    const swapped = after.map((now, i) => now.some((serial) => before[i]?.includes(serial) === false));
    expect(swapped).toEqual(admins.map(() => true));
    expect(mesh.shop.running.map((r) => r.pid)).toEqual(pids);
  }, 30_000);
});

describe("the edge", () => {
  // The Login bucket is one for all clients (10 at once, then 1 a second): this file's shoppers used
  // a few Logins earlier, so the burst starts from a bucket that is nearly, not quite, full.
  it("throttles a burst of Logins with RESOURCE_EXHAUSTED, and leaves a shopper's other calls alone", async () => {
    const shopper = await newShopper(mesh);
    const users = mesh.grpc(UserService);
    // All at once, as a guessing script would: however slow each Login is on a busy machine, the
    // bucket refills by only a token or two while they arrive.
    const codes = await Promise.all(
      Array.from(
        { length: 30 },
        async (_, i) => (await rejection(users.login({ email: "victim@example.com", password: `guess-${i}` }))).code,
      ),
    );
    const limited = codes.filter((c) => c === Code.ResourceExhausted).length;
    const checked = codes.filter((c) => c === Code.Unauthenticated).length;
    expect(limited).toBeGreaterThan(15);
    expect(checked).toBeGreaterThan(3);
    expect(limited + checked).toBe(30);
    const cart = await mesh.grpc(CartService).getCart({}, { headers: shopper.headers });
    expect(cart.cart).toBeDefined();
  });
});
