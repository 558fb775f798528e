// In-process stand-ins for the five services the order saga calls: real ServiceImpls of their
// contracts, kept in memory, served together by the kit on one port. They keep the rules the
// saga depends on (idempotency per order id or key, all-or-nothing reservations, the payment
// service's test cards, NOT_FOUND where the contracts say so) and record what they were asked,
// so a test sees what a customer would: the charge, the refund, the stock, the shipment.
// Any method can be made to fail with a chosen error, to test how the order service answers, or
// (Charge and CreateShipment, and their voids) to take effect and then fail, as a call whose
// answer was lost does, or to answer late.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { PreconditionFailureSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { Money } from "@shopmesh/gen/google/type/money_pb.js";
import { CartService, type CartLineSchema } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService, ProductSchema, type Product } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService, ReservationSchema, ReservationState, type Reservation } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { PaymentSchema, PaymentService, PaymentStatus, type Payment } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShipmentSchema, ShipmentStatus, ShippingService, type Shipment } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createShopServer, register, requireCaller, type Logger, type ShopServer } from "@shopmesh/kit";
import { testCards } from "@shopmesh/testkit";

type MethodsOf<S> = keyof S & string;
/** "service.method" of a fake, e.g. "payment.charge". */
export type FakeMethod =
  | `cart.${MethodsOf<ServiceImpl<typeof CartService>>}`
  | `catalog.${MethodsOf<ServiceImpl<typeof CatalogService>>}`
  | `inventory.${MethodsOf<ServiceImpl<typeof InventoryService>>}`
  | `payment.${MethodsOf<ServiceImpl<typeof PaymentService>>}`
  | `shipping.${MethodsOf<ServiceImpl<typeof ShippingService>>}`;

/** What the fakes were asked to do, in order. */
export interface FakeCalls {
  readonly charges: { readonly idempotencyKey: string; readonly cents: number; readonly cardNumber: string }[];
  readonly refunds: { readonly paymentId: string; readonly cents: number }[];
  /** Idempotency keys VoidCharge was called with. */
  readonly voids: string[];
  readonly shipments: { readonly orderId: string }[];
  /** Order ids CancelShipment was called with. */
  readonly shipmentCancels: string[];
  /** User ids the cart was read for, from the identity header of each GetCart. */
  readonly cartReadsFor: string[];
}

export interface FakeDownstream {
  /** host:port every fake answers on. */
  readonly address: string;
  readonly calls: FakeCalls;
  /** Flat shipping cost of every quote, in cents. */
  readonly shippingCents: number;
  /** A product the catalog sells, priced in USD cents. */
  addProduct(product: { id: string; sku: string; name: string; priceCents: number }): void;
  setStock(sku: string, available: number): void;
  stockOf(sku: string): { available: number; reserved: number };
  /** Replaces the user's cart (quantities by product id). */
  fillCart(userId: string, lines: readonly { productId: string; quantity: number }[]): void;
  cartOf(userId: string): { productId: string; quantity: number }[];
  /** Makes every call of `method` fail with `error` until clearFaults(). */
  failWith(method: FakeMethod, error: ConnectError): void;
  /** Makes every call of `method` (payment.charge, shipping.createShipment, and their voids) take effect, then fail with `error`. */
  failAfterWith(method: FakeMethod, error: ConnectError): void;
  /** Makes every call of `method` (as for failAfterWith) wait `ms` first, until clearFaults(). */
  delay(method: FakeMethod, ms: number): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

const cents = (money: Money | undefined): number =>
  money === undefined ? 0 : Number(money.units) * 100 + Math.round(money.nanos / 10_000_000);
const usd = (amount: number): { currencyCode: string; units: bigint; nanos: number } => ({
  currencyCode: "USD",
  units: BigInt(Math.trunc(amount / 100)),
  nanos: (amount % 100) * 10_000_000,
});
const digits = (number: string): string => number.replaceAll(" ", "");
const notFound = (what: string): ConnectError => new ConnectError(`${what} not found`, Code.NotFound);

/** Starts the six fakes on one kit server on a free port. */
export async function startFakeDownstream(logger: Logger): Promise<FakeDownstream> {
  const faults = new Map<FakeMethod, ConnectError>();
  const faultsAfter = new Map<FakeMethod, ConnectError>();
  const delays = new Map<FakeMethod, number>();
  const fault = (method: FakeMethod): void => {
    const error = faults.get(method);
    if (error !== undefined) throw error;
  };
  /** Waits as long as `method` is told to, then fails it if it is told to. */
  const arrive = async (method: FakeMethod): Promise<void> => {
    const ms = delays.get(method);
    if (ms !== undefined) await new Promise((resolve) => setTimeout(resolve, ms));
    fault(method);
  };
  /** Answers with `answer`, unless the answer is to be lost (failAfterWith). */
  const depart = <T>(method: FakeMethod, answer: T): T => {
    const error = faultsAfter.get(method);
    if (error !== undefined) throw error;
    return answer;
  };
  const calls: FakeCalls = { charges: [], refunds: [], voids: [], shipments: [], shipmentCancels: [], cartReadsFor: [] };
  const products = new Map<string, Product>();
  const carts = new Map<string, { productId: string; quantity: number }[]>();
  const stock = new Map<string, { available: number; reserved: number }>();
  const reservations = new Map<string, Reservation>();
  const payments = new Map<string, Payment>();
  const voidedKeys = new Set<string>();
  const shipments = new Map<string, Shipment>();
  const cancelledOrders = new Set<string>();
  const shippingCents = 499;
  let seq = 0;

  const catalog: ServiceImpl<typeof CatalogService> = {
    async getProduct(req) {
      fault("catalog.getProduct");
      const product = products.get(req.id);
      if (product === undefined) throw notFound(`product ${req.id}`);
      return { product };
    },
    async listProducts() {
      fault("catalog.listProducts");
      return { products: [...products.values()], nextPageToken: "" };
    },
    async searchProducts() {
      throw new ConnectError("the fake catalog does not search", Code.Unimplemented);
    },
    async upsertProduct() {
      throw new ConnectError("the fake catalog is stocked by the test", Code.Unimplemented);
    },
  };

  const cartMessage = (userId: string) => {
    const lines = (carts.get(userId) ?? []).map(({ productId, quantity }): MessageInitShape<typeof CartLineSchema> => {
      const product = products.get(productId);
      // The cart's copy of the price is the one it took when the item was added: here, a cent
      // off the catalog's, so that a test sees which one the order used.
      const unit = cents(product?.price) + 1;
      const line = { productId, sku: product?.sku ?? "", name: product?.name ?? "", quantity };
      return { ...line, unitPrice: usd(unit), lineTotal: usd(unit * quantity) };
    });
    return { lines, itemCount: (carts.get(userId) ?? []).reduce((n, l) => n + l.quantity, 0) };
  };
  const cart: ServiceImpl<typeof CartService> = {
    async getCart(_req, ctx) {
      const { userId } = requireCaller(ctx);
      calls.cartReadsFor.push(userId);
      fault("cart.getCart");
      return { cart: cartMessage(userId) };
    },
    async addItem() {
      throw new ConnectError("the fake cart is filled by the test", Code.Unimplemented);
    },
    async removeItem() {
      throw new ConnectError("the fake cart is filled by the test", Code.Unimplemented);
    },
    async emptyCart(_req, ctx) {
      const { userId } = requireCaller(ctx);
      fault("cart.emptyCart");
      carts.delete(userId);
      return { cart: cartMessage(userId) };
    },
  };

  const stockOf = (sku: string) => stock.get(sku) ?? { available: 0, reserved: 0 };
  const settle = (orderId: string, to: ReservationState, back: boolean): Reservation => {
    const reservation = reservations.get(orderId);
    if (reservation === undefined) throw notFound(`reservation of order ${orderId}`);
    if (reservation.state === to) return reservation;
    if (reservation.state !== ReservationState.HELD) {
      throw new ConnectError(`reservation is ${ReservationState[reservation.state]}`, Code.FailedPrecondition);
    }
    for (const line of reservation.lines) {
      const s = stockOf(line.sku);
      stock.set(line.sku, { available: s.available + (back ? line.quantity : 0), reserved: s.reserved - line.quantity });
    }
    reservation.state = to;
    return reservation;
  };
  const inventory: ServiceImpl<typeof InventoryService> = {
    async getStock(req) {
      fault("inventory.getStock");
      return { stock: { sku: req.sku, ...stockOf(req.sku) } };
    },
    async setStock(req) {
      fault("inventory.setStock");
      stock.set(req.sku, { available: req.available, reserved: stockOf(req.sku).reserved });
      return { stock: { sku: req.sku, ...stockOf(req.sku) } };
    },
    async reserveStock(req) {
      fault("inventory.reserveStock");
      const existing = reservations.get(req.orderId);
      if (existing !== undefined) return { reservation: existing };
      // All or nothing, naming every short SKU, as the real service does.
      const short = req.lines.filter((l) => stockOf(l.sku).available < l.quantity);
      if (short.length > 0) {
        const violations = short.map((l) => ({
          type: "STOCK",
          subject: `sku/${l.sku}`,
          description: `requested ${l.quantity}, available ${stockOf(l.sku).available}`,
        }));
        const details = [{ desc: PreconditionFailureSchema, value: { violations } }];
        throw new ConnectError("not enough stock", Code.FailedPrecondition, undefined, details);
      }
      for (const line of req.lines) {
        const s = stockOf(line.sku);
        stock.set(line.sku, { available: s.available - line.quantity, reserved: s.reserved + line.quantity });
      }
      const reservation = create(ReservationSchema, { orderId: req.orderId, lines: req.lines, state: ReservationState.HELD });
      reservations.set(req.orderId, reservation);
      return { reservation };
    },
    async commitReservation(req) {
      fault("inventory.commitReservation");
      return { reservation: settle(req.orderId, ReservationState.COMMITTED, false) };
    },
    async releaseReservation(req) {
      fault("inventory.releaseReservation");
      return { reservation: settle(req.orderId, ReservationState.RELEASED, true) };
    },
  };

  const payment: ServiceImpl<typeof PaymentService> = {
    async charge(req) {
      await arrive("payment.charge");
      // A voided key charges nothing, however late the Charge arrives.
      if (voidedKeys.has(req.idempotencyKey))
        throw new ConnectError(`idempotency key ${req.idempotencyKey} was voided`, Code.FailedPrecondition);
      const amount = cents(req.amount);
      const existing = payments.get(req.idempotencyKey);
      if (existing !== undefined) {
        if (cents(existing.amount) !== amount) throw new ConnectError("another amount for this key", Code.FailedPrecondition);
        return { payment: existing };
      }
      const number = digits(req.card?.number ?? "");
      if (number === digits(testCards.processorDown.number)) throw new ConnectError("card processor unavailable", Code.Unavailable);
      const declined = number === digits(testCards.declined.number);
      calls.charges.push({ idempotencyKey: req.idempotencyKey, cents: amount, cardNumber: number });
      const stored = create(PaymentSchema, {
        id: `pay_${++seq}`,
        idempotencyKey: req.idempotencyKey,
        amount: usd(amount),
        status: declined ? PaymentStatus.DECLINED : PaymentStatus.CAPTURED,
        cardBrand: "visa",
        cardLast4: number.slice(-4),
        declineReason: declined ? "insufficient funds" : "",
        createTime: timestampNow(),
        updateTime: timestampNow(),
      });
      payments.set(req.idempotencyKey, stored);
      return depart("payment.charge", { payment: stored });
    },
    async voidCharge(req) {
      await arrive("payment.voidCharge");
      calls.voids.push(req.idempotencyKey);
      voidedKeys.add(req.idempotencyKey);
      const found = payments.get(req.idempotencyKey);
      if (found?.status === PaymentStatus.CAPTURED) {
        found.status = PaymentStatus.REFUNDED;
        calls.refunds.push({ paymentId: found.id, cents: cents(found.amount) });
      }
      return depart("payment.voidCharge", found === undefined ? {} : { payment: found });
    },
    async refund(req) {
      fault("payment.refund");
      const found = [...payments.values()].find((p) => p.id === req.paymentId);
      if (found === undefined) throw notFound(`payment ${req.paymentId}`);
      if (found.status === PaymentStatus.DECLINED) {
        throw new ConnectError("a declined payment has nothing to refund", Code.FailedPrecondition);
      }
      if (found.status === PaymentStatus.CAPTURED) {
        found.status = PaymentStatus.REFUNDED;
        calls.refunds.push({ paymentId: found.id, cents: cents(found.amount) });
      }
      return { payment: found };
    },
    async getPayment(req) {
      fault("payment.getPayment");
      const { lookup } = req;
      const found =
        lookup.case === "idempotencyKey" ? payments.get(lookup.value) : [...payments.values()].find((p) => p.id === lookup.value);
      if (found === undefined) throw notFound("payment");
      return { payment: found };
    },
  };

  const shipping: ServiceImpl<typeof ShippingService> = {
    async getQuote() {
      fault("shipping.getQuote");
      return { cost: usd(shippingCents), estimatedDays: 3 };
    },
    async createShipment(req) {
      await arrive("shipping.createShipment");
      if (cancelledOrders.has(req.orderId))
        throw new ConnectError(`the shipment of order ${req.orderId} was cancelled`, Code.FailedPrecondition);
      let shipment = shipments.get(req.orderId);
      if (shipment === undefined) {
        const n = ++seq;
        shipment = create(ShipmentSchema, {
          id: `shp_${n}`,
          orderId: req.orderId,
          trackingId: `TRK${String(n).padStart(8, "0")}`,
          items: req.items,
          cost: usd(shippingCents),
          status: ShipmentStatus.CREATED,
          createTime: timestampNow(),
          ...(req.address === undefined ? {} : { address: req.address }),
        });
        shipments.set(req.orderId, shipment);
        calls.shipments.push({ orderId: req.orderId });
      }
      return depart("shipping.createShipment", { shipment });
    },
    async cancelShipment(req) {
      await arrive("shipping.cancelShipment");
      calls.shipmentCancels.push(req.orderId);
      cancelledOrders.add(req.orderId);
      const shipment = shipments.get(req.orderId);
      if (shipment !== undefined) shipment.status = ShipmentStatus.CANCELLED;
      return depart("shipping.cancelShipment", shipment === undefined ? {} : { shipment });
    },
    async getShipment(req) {
      fault("shipping.getShipment");
      const { lookup } = req;
      const found = lookup.case === "orderId" ? shipments.get(lookup.value) : [...shipments.values()].find((s) => s.id === lookup.value);
      if (found === undefined) throw notFound("shipment");
      return { shipment: found };
    },
  };

  const server: ShopServer = createShopServer({
    name: "fake-downstream",
    logger,
    port: 0,
    services: [
      register(CatalogService, catalog),
      register(CartService, cart),
      register(InventoryService, inventory),
      register(PaymentService, payment),
      register(ShippingService, shipping),
    ],
    shutdownGraceMs: 1_000,
  });
  await server.start();

  return {
    address: server.address,
    calls,
    shippingCents,
    addProduct({ id, sku, name, priceCents }) {
      products.set(id, create(ProductSchema, { id, sku, name, price: usd(priceCents) }));
    },
    setStock(sku, available) {
      stock.set(sku, { available, reserved: stockOf(sku).reserved });
    },
    stockOf: (sku) => ({ ...stockOf(sku) }),
    fillCart(userId, lines) {
      carts.set(
        userId,
        lines.map((l) => ({ ...l })),
      );
    },
    cartOf: (userId) => (carts.get(userId) ?? []).map((l) => ({ ...l })),
    failWith(method, error) {
      faults.set(method, error);
    },
    failAfterWith(method, error) {
      faultsAfter.set(method, error);
    },
    delay(method, ms) {
      delays.set(method, ms);
    },
    clearFaults() {
      faults.clear();
      faultsAfter.clear();
      delays.clear();
    },
    stop: () => server.stop(),
  };
}
