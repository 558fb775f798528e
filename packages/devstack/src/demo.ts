// `make demo`: a shop session through the edge gateway with the real grpcurl, as a person at a
// terminal would do it — browse, register, log in, fill the cart, order, check, read notifications.
import { join } from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { grpcurl, repoRoot } from "@shopmesh/launcher";
import { stateFile, type ShopState } from "./state.js";

const file = stateFile(join(repoRoot, ".run"));
if (!existsSync(file)) {
  process.stderr.write("shopmesh is not running: start it with `make up` in another terminal first\n");
  process.exit(1);
}
const gateway = (JSON.parse(readFileSync(file, "utf8")) as ShopState).gateway;
let token = "";
let step = 0;

async function call(
  title: string,
  method: string,
  data: unknown,
  show: (body: Record<string, unknown>) => string,
): Promise<Record<string, unknown>> {
  step++;
  const headers = token === "" ? [] : ["-H", `authorization: Bearer ${token}`];
  process.stdout.write(
    `\n${step}. ${title}\n   $ grpcurl -plaintext ${token ? "-H 'authorization: Bearer …' " : ""}-d '${JSON.stringify(data)}' ${gateway} ${method}\n`,
  );
  const res = await grpcurl([...headers, gateway, method], { data });
  if (res.exitCode !== 0) {
    process.stdout.write(`   failed:\n${res.stderr.replace(/^/gm, "     ")}\n`);
    process.exit(1);
  }
  const body = JSON.parse(res.stdout) as Record<string, unknown>;
  process.stdout.write(`   → ${show(body)}\n`);
  return body;
}

type Product = { id: string; sku: string; name: string; price: { units?: string; nanos?: number } };
const money = (m: { units?: string; nanos?: number } | undefined): string =>
  `$${(Number(m?.units ?? 0) + (m?.nanos ?? 0) / 1e9).toFixed(2)}`;

step++;
process.stdout.write(`${step}. Which services does the gateway expose?\n   $ grpcurl -plaintext ${gateway} list\n`);
const list = await grpcurl([gateway, "list"]);
process.stdout.write(list.stdout.replace(/^/gm, "     "));

const listed = await call("Browse the catalog", "shop.catalog.v1.CatalogService/ListProducts", { page_size: 5 }, (b) =>
  ((b["products"] as Product[]) ?? []).map((p) => `${p.name} ${money(p.price)}`).join(", "),
);
const search = await call(
  "Search for a word",
  "shop.catalog.v1.CatalogService/SearchProducts",
  { query: "mug" },
  (b) => `${((b["products"] as Product[]) ?? []).length} products match "mug"`,
);
const email = `demo-${Date.now()}@example.com`;
await call(
  "Register",
  "shop.user.v1.UserService/Register",
  { email, password: "correct horse battery", display_name: "Demo Shopper" },
  (b) => `user ${(b["user"] as { id: string }).id} (${email})`,
);
const login = await call(
  "Log in",
  "shop.user.v1.UserService/Login",
  { email, password: "correct horse battery" },
  (b) => `a signed token, valid until ${String(b["expireTime"])}`,
);
token = String(login["accessToken"]);
const products = [...((search["products"] as Product[]) ?? []), ...((listed["products"] as Product[]) ?? [])];
const first = products[0];
const second = products.find((p) => p.id !== first?.id);
if (first === undefined || second === undefined) throw new Error("the catalog has fewer than two products");
await call(
  `Add 2 × ${first.name} to the cart`,
  "shop.cart.v1.CartService/AddItem",
  { product_id: first.id, quantity: 2 },
  (b) => `${(b["cart"] as { itemCount: number }).itemCount} items`,
);
await call(`Add 1 × ${second.name}`, "shop.cart.v1.CartService/AddItem", { product_id: second.id, quantity: 1 }, (b) => {
  const cart = b["cart"] as { itemCount: number; subtotal: { units?: string; nanos?: number } };
  return `${cart.itemCount} items, subtotal ${money(cart.subtotal)}`;
});
const placed = await call(
  "Place the order with the test card that always succeeds",
  "shop.order.v1.OrderService/PlaceOrder",
  {
    request_id: `demo-${Date.now()}`,
    shipping_address: {
      recipient_name: "Demo Shopper",
      street_lines: ["1 Loopback Way"],
      city: "Springfield",
      postal_code: "12345",
      region_code: "US",
    },
    card: { number: "4242 4242 4242 4242", exp_month: 12, exp_year: new Date().getFullYear() + 2, cvc: "123" },
  },
  (b) => {
    const o = b["order"] as { id: string; state: string; total: { units?: string; nanos?: number }; trackingId: string };
    return `order ${o.id}: ${o.state}, total ${money(o.total)}, tracking ${o.trackingId}`;
  },
);
const orderId = (placed["order"] as { id: string }).id;
await call(
  "Look the order up",
  "shop.order.v1.OrderService/GetOrder",
  { order_id: orderId },
  (b) => `state ${(b["order"] as { state: string }).state}`,
);
await call(
  "Read notifications",
  "shop.notification.v1.NotificationService/ListNotifications",
  { page_size: 5 },
  (b) => ((b["notifications"] as { text: string }[]) ?? []).map((n) => `"${n.text}"`).join("; ") || "none",
);
process.stdout.write("\nThe whole session went through the Envoy gateway: gRPC, JWT check, sidecars, services, stores.\n");
