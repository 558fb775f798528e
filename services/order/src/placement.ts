// PlaceOrder: turn the caller's cart into a priced PENDING order, then run the saga with the
// card (held in memory only) and answer with the outcome. The request id makes it idempotent per
// caller: a repeated or concurrent call waits for the order of the first and answers with it.
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Address } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import type { Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import type { PaymentCard } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { fieldViolations, invalidArgument, type Logger } from "@shopmesh/kit";
import { internalHeaders, upstreamFailure, userHeaders, type Downstream } from "./downstream.js";
import { orderWasCancelled, preconditionFailed, unavailable } from "./errors.js";
import { amountFromMoney, multiplyCents, sumCents } from "./money.js";
import type { CrashHooks } from "./saga/crash-points.js";
import type { RunResult, SagaRunner } from "./saga/runner.js";
import { isFinal, type StepOutcome } from "./saga/state-machine.js";
import { toAddressRecord } from "./store/mappers.js";
import type { OrderLineRecord, OrderRecord, OrderStore } from "./store/order-store.js";
import { pollUntil } from "./wait.js";

export interface PlacementDeps {
  readonly store: OrderStore;
  readonly downstream: Downstream;
  readonly runner: SagaRunner;
  readonly crash: CrashHooks;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly leaseMs: number;
  /** How long a call waits for the order another call with its request id is placing. */
  readonly waitMs: number;
  readonly pollIntervalMs?: number;
  readonly newOrderId?: () => string;
}

export interface PlaceOrderInput {
  readonly requestId: string;
  readonly address: Address;
  readonly card: PaymentCard;
}

export interface CallContext {
  readonly signal: AbortSignal;
  /** The request id of the RPC (x-request-id), forwarded downstream. */
  readonly rpcRequestId: string;
}

interface PricedCart {
  readonly lines: OrderLineRecord[];
  readonly currency: string;
  readonly subtotalCents: number;
  readonly shippingCents: number;
}

/** Catalog lookups run this many at a time (a cart holds up to 50 products). */
const catalogConcurrency = 8;

export function newOrderId(): string {
  return `ord_${randomUUID().replaceAll("-", "")}`;
}

export function createPlacement(deps: PlacementDeps) {
  const { store, downstream, runner, clock } = deps;
  const makeId = deps.newOrderId ?? newOrderId;

  /** The answer for an order placed by an earlier (or concurrent) call with the same request id. */
  const answerExisting = async (orderId: string, call: CallContext): Promise<OrderRecord> => {
    const settled = await pollUntil(
      async () => {
        const order = await store.get(orderId);
        if (order === undefined) return undefined;
        // SHIPPED counts once nobody is finishing it right now (its last steps wait for a retry).
        const beingFinished = order.leaseOwner !== null && order.leaseUntil.getTime() > clock();
        return isFinal(order.state) || (order.state === "SHIPPED" && !beingFinished) ? order : undefined;
      },
      { timeoutMs: deps.waitMs, intervalMs: deps.pollIntervalMs ?? 50, signal: call.signal, clock },
    );
    if (settled === undefined) {
      throw unavailable(`order ${orderId} of this request id is still being placed; retry later with the same request id`);
    }
    if (settled.state === "CANCELLED") throw orderWasCancelled(settled);
    return settled;
  };

  const priceCart = async (userId: string, address: Address, call: CallContext): Promise<PricedCart> => {
    const { signal } = call;
    let cartLines;
    try {
      const { cart } = await downstream.cart.getCart({}, { headers: userHeaders(userId, call.rpcRequestId), signal });
      cartLines = cart?.lines ?? [];
    } catch (err) {
      throw upstreamFailure("cart", err);
    }
    if (cartLines.length === 0) {
      throw preconditionFailed("the cart is empty", [{ type: "CART", subject: "cart", description: "the cart has no items" }]);
    }
    const products = await mapLimited(cartLines, catalogConcurrency, async (line) => {
      try {
        const { product } = await downstream.catalog.getProduct({ id: line.productId }, { headers: internalHeaders(call.rpcRequestId), signal });
        if (product === undefined) throw new Error(`GetProduct ${line.productId} returned no product`);
        return product;
      } catch (err) {
        if (err instanceof ConnectError && err.code === Code.NotFound) {
          throw preconditionFailed(`product ${line.productId} in the cart is no longer sold`, [
            { type: "CART", subject: `product/${line.productId}`, description: "the product is not in the catalog" },
          ]);
        }
        throw upstreamFailure("catalog", err);
      }
    });
    const lines = cartLines.map((line, i) => pricedLine(products[i] as Product, line.quantity));
    const currency = lines[0]?.currency ?? "USD";
    const foreign = lines.find((l) => l.currency !== currency);
    if (foreign !== undefined) {
      throw preconditionFailed("the cart's products are priced in different currencies", [
        { type: "CURRENCY", subject: `product/${foreign.line.productId}`, description: `priced in ${foreign.currency}, not ${currency}` },
      ]);
    }
    const shipping = await quote(address, lines.map((l) => l.line), call);
    if (shipping.currency !== currency) {
      throw preconditionFailed("shipping is quoted in another currency than the products", [
        { type: "CURRENCY", subject: "shipping", description: `quoted in ${shipping.currency}, not ${currency}` },
      ]);
    }
    const orderLines = lines.map((l) => l.line);
    return { lines: orderLines, currency, subtotalCents: sumCents(orderLines.map((l) => l.lineTotalCents)), shippingCents: shipping.cents };
  };

  const quote = async (address: Address, lines: readonly OrderLineRecord[], call: CallContext) => {
    try {
      const { cost } = await downstream.shipping.getQuote(
        { address, items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) },
        { headers: internalHeaders(call.rpcRequestId), signal: call.signal },
      );
      const amount = amountFromMoney(cost);
      if (typeof amount === "string") throw new Error(`GetQuote returned a bad cost: ${amount}`);
      return amount;
    } catch (err) {
      // Shipping judged the address by rules of its own that ours missed: the client's to fix.
      if (err instanceof ConnectError && err.code === Code.InvalidArgument) {
        const onAddress = fieldViolations(err).filter((fv) => fv.field === "address" || fv.field.startsWith("address."));
        if (onAddress.length > 0) {
          throw invalidArgument(onAddress.map((fv) => ({ field: `shipping_${fv.field}`, description: fv.description })));
        }
      }
      throw upstreamFailure("shipping", err);
    }
  };

  /** The client's answer for a run of the saga this call started. */
  const answer = async (result: RunResult, call: CallContext): Promise<OrderRecord> => {
    const { order, cause } = result;
    if (result.ended === "lease-lost") return answerExisting(order.id, call);
    switch (order.state) {
      case "CONFIRMED":
      case "SHIPPED":
        return order;
      case "CANCELLED":
        throw failureOf(order, cause);
      default:
        // Compensation is waiting for a service that is down; recovery finishes it.
        throw unavailable(
          `${cause ? describeCause(cause) : "the order could not be completed"}; order ${order.id} will be cancelled ` +
            "once its compensation completes; retry with a new request id",
        );
    }
  };

  return {
    async placeOrder(userId: string, input: PlaceOrderInput, call: CallContext): Promise<OrderRecord> {
      const existing = await store.findByRequest(userId, input.requestId);
      if (existing !== undefined) return answerExisting(existing.id, call);

      const priced = await priceCart(userId, input.address, call);
      const now = clock();
      const owner = `place-${randomUUID()}`;
      const order: OrderRecord = {
        id: makeId(),
        userId,
        requestId: input.requestId,
        state: "PENDING",
        lines: priced.lines,
        currency: priced.currency,
        subtotalCents: priced.subtotalCents,
        shippingCents: priced.shippingCents,
        totalCents: sumCents([priced.subtotalCents, priced.shippingCents]),
        address: toAddressRecord(input.address),
        paymentId: "",
        shipmentId: "",
        trackingId: "",
        cancelRequested: false,
        cancelReason: "",
        refunded: false,
        released: false,
        committed: false,
        cartEmptied: false,
        createTime: new Date(now),
        updateTime: new Date(now),
        leaseOwner: owner,
        leaseUntil: new Date(now + deps.leaseMs),
        attempts: 0,
      };
      if ((await store.insert(order)) === "duplicate") {
        // Another call with this request id got there first: its order is the answer.
        const winner = await store.findByRequest(userId, input.requestId);
        if (winner === undefined) throw new Error(`duplicate request id ${input.requestId} but no order found`);
        return answerExisting(winner.id, call);
      }
      deps.crash.afterPersist("PENDING");
      // The saga is not tied to the client's signal: once recorded, the order is driven to an
      // end even if the client goes away.
      const result = await runner.run(order, owner, { mode: "interactive", card: input.card, requestId: call.rpcRequestId });
      return answer(result, call);
    },
  };
}

export type Placement = ReturnType<typeof createPlacement>;

function pricedLine(product: Product, quantity: number): { line: OrderLineRecord; currency: string } {
  const price = amountFromMoney(product.price);
  if (typeof price === "string") throw new Error(`product ${product.id} has a bad price: ${price}`);
  return {
    currency: price.currency,
    line: {
      productId: product.id,
      sku: product.sku,
      name: product.name,
      quantity,
      unitPriceCents: price.cents,
      lineTotalCents: multiplyCents(price.cents, quantity),
    },
  };
}

/** The error PlaceOrder answers with for an order its own run cancelled. */
function failureOf(order: OrderRecord, cause: StepOutcome | undefined): ConnectError | Error {
  switch (cause?.kind) {
    case undefined:
    case "ok":
      // Cancelled by the customer while the saga ran.
      return orderWasCancelled(order);
    case "short":
      return preconditionFailed(`not enough stock: ${cause.description}`, cause.violations);
    case "declined":
      return preconditionFailed(`payment declined: ${cause.reason}`, [
        { type: "PAYMENT", subject: `order/${order.id}`, description: cause.reason },
      ]);
    case "unavailable":
      return unavailable(`${describeCause(cause)}; order ${order.id} was cancelled; retry with a new request id`, cause.error);
    case "rejected": {
      // The payment service judged the card by rules ours missed: the client's to fix.
      if (cause.error instanceof ConnectError && cause.error.code === Code.InvalidArgument) {
        const onCard = fieldViolations(cause.error).filter((fv) => fv.field.startsWith("card"));
        if (onCard.length > 0) return invalidArgument(onCard.map((fv) => ({ field: fv.field, description: fv.description })));
      }
      return new Error(`order ${order.id} cancelled: ${order.cancelReason}`, { cause: cause.error });
    }
  }
}

function describeCause(cause: StepOutcome): string {
  return cause.kind === "unavailable" ? `the ${cause.service} service is unavailable` : `the order failed (${cause.kind})`;
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
