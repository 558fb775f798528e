// One visit of a virtual shopper, as a person at the storefront makes it: browse the catalog's pages,
// search for a word, look at a product, put it in the cart and look at the cart, check out with a
// test card (a share of them declining), look at past orders, read notifications. Each step runs in
// a visit with its chance from the mix, followed by think time; the calls are made in order, and a
// step whose call fails ends there.
import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { CartService, Cart } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import type { CatalogService, Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import type { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderState, type OrderService, type PlaceOrderResponse } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { codeName, type GrpcClient } from "@shopmesh/kit";
import { testAddress, testCards } from "@shopmesh/testkit";
import type { Account } from "./accounts.js";
import type { Outcome, Stats } from "./stats.js";

/** The steps of a visit, in the order a visit takes them. */
export const stepNames = ["browse", "search", "view", "addToCart", "checkout", "orders", "notifications"] as const;
export type StepName = (typeof stepNames)[number];

/** Per step, the chance (0..1) that a visit takes it; a step the mix leaves out never runs. */
export type ScenarioMix = Readonly<Partial<Record<StepName, number>>>;

export const defaultMix: ScenarioMix = {
  browse: 1,
  search: 0.5,
  view: 1,
  addToCart: 0.7,
  checkout: 0.3,
  orders: 0.2,
  notifications: 0.3,
};

/** Every method the scenario calls, in the order of the steps: the order of the report's rows. */
export const methodNames = [
  "CatalogService/ListProducts",
  "CatalogService/SearchProducts",
  "CatalogService/GetProduct",
  "CartService/AddItem",
  "CartService/GetCart",
  "CartService/EmptyCart",
  "OrderService/PlaceOrder",
  "OrderService/GetOrder",
  "OrderService/ListOrders",
  "NotificationService/ListNotifications",
] as const;

export interface ShopClients {
  readonly catalog: GrpcClient<typeof CatalogService>;
  readonly cart: GrpcClient<typeof CartService>;
  readonly order: GrpcClient<typeof OrderService>;
  readonly notification: GrpcClient<typeof NotificationService>;
}

/** The catalog as the load found it at the start: what shoppers pick from and search for. */
export interface KnownCatalog {
  readonly productIds: readonly string[];
  /** Words of the products' names, each matching at least one product. */
  readonly words: readonly string[];
}

/** A virtual shopper between visits: who it is and what its cart holds (as the cart last said). */
export interface Shopper {
  readonly account: Account;
  readonly index: number;
  /** Product id → quantity, from the cart's last answer; cleared when an order may have emptied it. */
  readonly cart: Map<string, number>;
  orders: number;
}

export interface VisitContext {
  readonly clients: ShopClients;
  readonly catalog: KnownCatalog;
  readonly mix: ScenarioMix;
  readonly stats: Stats;
  readonly runId: string;
  /** Whether the next checkout uses the declining card: spread evenly over all checkouts of the run. */
  nextCardDeclines(): boolean;
  /** Aborts when the load stops. */
  readonly signal: AbortSignal;
  /** Waits a think time; rejects (AbortError) once the load is stopping. */
  think(): Promise<void>;
  random(): number;
}

// The contract's bounds on a cart (shop.cart.v1): a line holds at most 99 units, a cart 50 products.
const maxLineQuantity = 99;
const maxCartLines = 50;
const pageSize = 12;

/**
 * One visit, step by step; returns how many steps it took, or rejects (AbortError from think) when
 * the load stops.
 */
export async function visit(shopper: Shopper, ctx: VisitContext): Promise<number> {
  const { clients, mix } = ctx;
  const headers = await shopper.account.headers();
  const seen: string[] = [];
  let taken = 0;
  // Once the load is stopping, a visit takes no new step.
  const takes = (step: StepName): boolean => !ctx.signal.aborted && ctx.random() < (mix[step] ?? 0);
  const step = async (name: StepName, body: (s: StepRun) => Promise<unknown>): Promise<void> => {
    taken++;
    await runStep(ctx.stats, name, body);
    await ctx.think();
  };
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(ctx.random() * items.length)];

  if (takes("browse")) {
    await step("browse", async (s) => {
      // The first page, then now and then the next ones, as a shopper paging through the catalog.
      let pageToken = "";
      for (let page = 0; page < 3; page++) {
        const listed = await s.call("CatalogService/ListProducts", () => clients.catalog.listProducts({ pageSize, pageToken }));
        if (listed === undefined) return;
        seen.push(...listed.products.map((p) => p.id));
        pageToken = listed.nextPageToken;
        if (pageToken === "" || ctx.random() >= 0.3) return;
      }
    });
  }
  if (takes("search")) {
    const query = pick(ctx.catalog.words) ?? "mug";
    await step("search", async (s) => {
      const found = await s.call("CatalogService/SearchProducts", () => clients.catalog.searchProducts({ query, pageSize }));
      seen.push(...(found?.products ?? []).map((p: Product) => p.id));
    });
  }
  let viewed: string | undefined;
  if (takes("view")) {
    const id = pick(seen) ?? pick(ctx.catalog.productIds);
    if (id !== undefined) {
      await step("view", async (s) => {
        const got = await s.call("CatalogService/GetProduct", () => clients.catalog.getProduct({ id }));
        viewed = got?.product?.id;
      });
    }
  }
  if (takes("addToCart")) {
    await step("addToCart", async (s) => {
      let productId = productForCart(shopper.cart, [viewed, pick(seen), ...shuffled(ctx.catalog.productIds, ctx.random)]);
      if (productId === undefined) {
        // Every line is full: start over, as a shopper clearing a cart would.
        if ((await s.call("CartService/EmptyCart", () => clients.cart.emptyCart({}, { headers }))) === undefined) return;
        shopper.cart.clear();
        productId = pick(ctx.catalog.productIds);
        if (productId === undefined) return;
      }
      const id = productId;
      const added = await s.call("CartService/AddItem", () => clients.cart.addItem({ productId: id, quantity: 1 }, { headers }));
      if (added === undefined) return;
      remember(shopper.cart, added.cart);
      const got = await s.call("CartService/GetCart", () => clients.cart.getCart({}, { headers }));
      if (got !== undefined) remember(shopper.cart, got.cart);
    });
  }
  if (takes("checkout") && shopper.cart.size > 0) {
    const declining = ctx.nextCardDeclines();
    const requestId = `load-${ctx.runId}-${shopper.index}-${++shopper.orders}`;
    await step("checkout", async (s) => {
      const card = declining ? testCards.declined : testCards.succeeds;
      const placed = await s.call(
        "OrderService/PlaceOrder",
        () => clients.order.placeOrder({ requestId, shippingAddress: testAddress, card }, { headers }),
        placeOrderOutcome(declining),
      );
      const order = placed?.order;
      if (order === undefined) return;
      // A confirmed order emptied the cart; one still running may yet: the next GetCart tells.
      if (order.state !== OrderState.CANCELLED) shopper.cart.clear();
      await s.call("OrderService/GetOrder", () => clients.order.getOrder({ orderId: order.id }, { headers }));
    });
  }
  if (takes("orders")) {
    await step("orders", (s) => s.call("OrderService/ListOrders", () => clients.order.listOrders({ pageSize: 5 }, { headers })));
  }
  if (takes("notifications")) {
    await step("notifications", (s) =>
      s.call("NotificationService/ListNotifications", () => clients.notification.listNotifications({ pageSize: 10 }, { headers })),
    );
  }
  return taken;
}

/** The declining card's answer is a decline (FAILED_PRECONDITION, violation "PAYMENT"); the other card's is an order. */
function placeOrderOutcome(declining: boolean): (answer: { value?: PlaceOrderResponse; error?: ConnectError }) => Outcome {
  return ({ value, error }) => {
    if (error !== undefined) {
      const payment = error.findDetails(PreconditionFailureSchema).some((d) => d.violations.some((v) => v.type === "PAYMENT"));
      return declining && error.code === Code.FailedPrecondition && payment
        ? { kind: "declined" }
        : { kind: "error", code: codeName(error.code) };
    }
    const state = value?.order?.state;
    const charged = state === OrderState.CONFIRMED || state === OrderState.SHIPPED;
    return declining && charged ? { kind: "error", code: "NOT_DECLINED" } : { kind: "ok" };
  };
}

/** The first candidate the cart can take one more unit of. */
function productForCart(cart: ReadonlyMap<string, number>, candidates: readonly (string | undefined)[]): string | undefined {
  return candidates.find((id): id is string => {
    if (id === undefined) return false;
    const quantity = cart.get(id);
    return quantity === undefined ? cart.size < maxCartLines : quantity < maxLineQuantity;
  });
}

function remember(local: Map<string, number>, cart: Cart | undefined): void {
  if (cart === undefined) return;
  local.clear();
  for (const line of cart.lines) local.set(line.productId, line.quantity);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

interface StepRun {
  /** Makes one call and records it; undefined when it did not answer with a value (the step should end). */
  call<T>(
    method: string,
    run: () => Promise<T>,
    outcome?: (answer: { value?: T; error?: ConnectError }) => Outcome,
  ): Promise<T | undefined>;
}

/** Runs a step's calls, recording each and the step as a whole (its worst outcome, its time). */
async function runStep(stats: Stats, step: StepName, body: (s: StepRun) => Promise<unknown>): Promise<void> {
  let stepOutcome: Outcome = { kind: "ok" };
  const started = performance.now();
  await body({
    async call(method, run, outcomeOf) {
      const callStarted = performance.now();
      let value: Awaited<ReturnType<typeof run>> | undefined;
      let error: ConnectError | undefined;
      try {
        value = await run();
      } catch (err) {
        error = ConnectError.from(err);
      }
      const outcome: Outcome =
        outcomeOf?.(error === undefined ? { value: value as NonNullable<typeof value> } : { error }) ??
        (error === undefined ? { kind: "ok" } : { kind: "error", code: codeName(error.code) });
      stats.call(method, step, outcome, (performance.now() - callStarted) * 1000, error?.rawMessage);
      if (outcome.kind === "error" || (outcome.kind === "declined" && stepOutcome.kind === "ok")) stepOutcome = outcome;
      return error === undefined ? value : undefined;
    },
  });
  stats.step(step, stepOutcome, (performance.now() - started) * 1000);
}
