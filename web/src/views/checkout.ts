// Checkout: a shipping address and a card, a shipping quote once the address is complete, and
// PlaceOrder, which runs the whole order saga and answers with the confirmed order or why not.
import { html, nothing, type TemplateResult } from "lit-html";
import { Code } from "@connectrpc/connect";
import type { Money } from "@shopmesh/gen/google/type/money_pb.js";
import type { Cart } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { OrderState } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import type { PageFactory } from "../context.js";
import { fieldMessage, otherFieldMessages, type Problem } from "../errors.js";
import { addMoney, formatMoney } from "../money.js";
import { routeHref, type Route } from "../router.js";
import { field, focusFirstProblem, loading, problemBanner, regionName, selectField } from "./parts.js";

type CheckoutRoute = Extract<Route, { page: "checkout" }>;

interface Values {
  recipientName: string;
  street1: string;
  street2: string;
  city: string;
  postalCode: string;
  regionCode: string;
  cardNumber: string;
  expMonth: string;
  expYear: string;
  cvc: string;
}

/** Every field path the form shows a message for; others go to the banner. */
const shownFields = [
  "shipping_address.recipient_name",
  "shipping_address.street_lines",
  "shipping_address.street_lines[0]",
  "shipping_address.street_lines[1]",
  "shipping_address.city",
  "shipping_address.postal_code",
  "shipping_address.region_code",
  "card.number",
  "card.exp_month",
  "card.exp_year",
  "card.cvc",
];

const regionCodes = [
  "US",
  "CA",
  "GB",
  "IE",
  "DE",
  "FR",
  "NL",
  "BE",
  "ES",
  "IT",
  "SE",
  "DK",
  "NO",
  "FI",
  "CH",
  "AT",
  "PL",
  "JP",
  "AU",
  "NZ",
];

export const checkoutPage: PageFactory<CheckoutRoute> = (ctx, _route, signal) => {
  const state = {
    loading: true,
    cart: undefined as Cart | undefined,
    problem: undefined as Problem | undefined,
    placing: false,
    quote: undefined as { cost: Money; days: number } | undefined,
    quoting: false,
    values: {
      recipientName: ctx.session?.user.displayName ?? "",
      street1: "",
      street2: "",
      city: "",
      postalCode: "",
      regionCode: "US",
      cardNumber: "",
      expMonth: "",
      expYear: "",
      cvc: "",
    } as Values,
  };
  let quoteSeq = 0;

  const loadCart = async (): Promise<void> => {
    try {
      state.cart = (await ctx.api.cart.getCart({}, { signal })).cart;
      ctx.cartChanged(state.cart);
    } catch (err) {
      if (signal.aborted) return;
      state.problem = ctx.problem(err);
    }
    state.loading = false;
    ctx.update();
  };

  const requote = async (form: HTMLFormElement): Promise<void> => {
    state.values = readValues(form);
    const v = state.values;
    const lines = state.cart?.lines ?? [];
    const complete =
      v.recipientName !== "" && v.street1 !== "" && v.city !== "" && v.regionCode !== "" && (v.regionCode !== "US" || v.postalCode !== "");
    const seq = ++quoteSeq;
    if (!complete || lines.length === 0) {
      state.quote = undefined;
      ctx.update();
      return;
    }
    state.quoting = true;
    ctx.update();
    try {
      const res = await ctx.api.shipping.getQuote(
        { address: address(v), items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) },
        { signal },
      );
      if (seq === quoteSeq && res.cost !== undefined) state.quote = { cost: res.cost, days: res.estimatedDays };
    } catch {
      // An address the service rejects gets no quote; PlaceOrder names the field.
      if (seq === quoteSeq) state.quote = undefined;
    }
    if (seq === quoteSeq) state.quoting = false;
    ctx.update();
  };

  const place = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    state.values = readValues(e.currentTarget as HTMLFormElement);
    const v = state.values;
    state.placing = true;
    state.problem = undefined;
    ctx.update();
    try {
      const { order } = await ctx.api.orders.placeOrder(
        {
          // A new id per attempt: a declined or failed attempt is final for its id.
          requestId: crypto.randomUUID(),
          shippingAddress: address(v),
          card: { number: v.cardNumber, expMonth: Number(v.expMonth) || 0, expYear: Number(v.expYear) || 0, cvc: v.cvc },
        },
        { signal },
      );
      ctx.cartChanged(undefined);
      // Not final yet when the saga outlasted the call: the order page follows it.
      const placed = order?.state === OrderState.CONFIRMED || order?.state === OrderState.SHIPPED;
      ctx.flash(placed ? "Thank you! Your order is placed." : "Thank you! Your order is being placed.");
      ctx.go({ page: "order", id: order?.id ?? "" });
      return;
    } catch (err) {
      if (signal.aborted) return;
      state.problem = placementProblem(ctx.problem(err));
    }
    state.placing = false;
    // The cart stays as it was when an order fails; show what the service says it is.
    await loadCart();
    ctx.afterRender(focusFirstProblem);
  };

  void loadCart();

  return {
    title: "Checkout",
    view: () => {
      const cart = state.cart;
      if (state.loading) return html`<h1 tabindex="-1">Checkout</h1>${loading("Loading your cart…")}`;
      if (cart === undefined) return html`<h1 tabindex="-1">Checkout</h1>${problemBanner(state.problem)}`;
      if (cart.lines.length === 0) {
        return html`<h1 tabindex="-1">Checkout</h1>
          <p class="empty">Your cart is empty, so there is nothing to check out. <a href="#/">Browse the products</a>.</p>`;
      }
      const p = state.problem;
      const v = state.values;
      return html`<h1 tabindex="-1">Checkout</h1>
        <div class="checkout">
          <form class="stack" novalidate @change=${(e: Event) => void requote(e.currentTarget as HTMLFormElement)} @submit=${(e: SubmitEvent) => void place(e)}>
            ${problemBanner(p, otherFieldMessages(p, shownFields))}
            <fieldset>
              <legend>Shipping address</legend>
              ${field({ id: "recipient-name", name: "recipientName", label: "Full name", value: v.recipientName, autocomplete: "shipping name", maxlength: 100, error: fieldMessage(p, "shipping_address.recipient_name") })}
              ${field({
                id: "street-1",
                name: "street1",
                label: "Street address",
                value: v.street1,
                autocomplete: "shipping address-line1",
                maxlength: 100,
                error: fieldMessage(p, "shipping_address.street_lines[0]", "shipping_address.street_lines"),
              })}
              ${field({
                id: "street-2",
                name: "street2",
                label: "Apartment, suite, c/o",
                value: v.street2,
                autocomplete: "shipping address-line2",
                maxlength: 100,
                required: false,
                error: fieldMessage(p, "shipping_address.street_lines[1]"),
              })}
              <div class="row">
                ${field({ id: "city", name: "city", label: "City", value: v.city, autocomplete: "shipping address-level2", maxlength: 100, error: fieldMessage(p, "shipping_address.city") })}
                ${field({
                  id: "postal-code",
                  name: "postalCode",
                  label: "Postal code",
                  value: v.postalCode,
                  autocomplete: "shipping postal-code",
                  maxlength: 20,
                  hint: "US: five digits or ZIP+4.",
                  error: fieldMessage(p, "shipping_address.postal_code"),
                })}
              </div>
              ${selectField({
                id: "region-code",
                name: "regionCode",
                label: "Country or region",
                value: v.regionCode,
                autocomplete: "shipping country",
                options: regionOptions,
                error: fieldMessage(p, "shipping_address.region_code"),
              })}
            </fieldset>
            <fieldset>
              <legend>Card</legend>
              <aside class="test-cards" aria-label="Test cards">
                <p><strong>Test cards</strong> (any future expiry, any CVC):</p>
                <ul>
                  <li><code>4242 4242 4242 4242</code> is accepted</li>
                  <li><code>4000 0000 0000 0002</code> is declined</li>
                  <li><code>4000 0000 0000 0119</code> fails as if the card processor were down</li>
                </ul>
              </aside>
              ${field({
                id: "card-number",
                name: "cardNumber",
                label: "Card number",
                value: v.cardNumber,
                autocomplete: "cc-number",
                inputmode: "numeric",
                maxlength: 23,
                error: fieldMessage(p, "card.number"),
              })}
              <div class="row">
                ${selectField({ id: "exp-month", name: "expMonth", label: "Expiry month", value: v.expMonth, autocomplete: "cc-exp-month", options: monthOptions(), error: fieldMessage(p, "card.exp_month") })}
                ${selectField({ id: "exp-year", name: "expYear", label: "Expiry year", value: v.expYear, autocomplete: "cc-exp-year", options: yearOptions(), error: fieldMessage(p, "card.exp_year") })}
                ${field({ id: "cvc", name: "cvc", label: "CVC", value: v.cvc, autocomplete: "cc-csc", inputmode: "numeric", maxlength: 4, error: fieldMessage(p, "card.cvc") })}
              </div>
            </fieldset>
            <button type="submit" class="primary wide" ?disabled=${state.placing}>
              ${state.placing ? "Placing your order…" : `Place order${state.quote === undefined || cart.subtotal === undefined ? "" : ` · ${formatMoney(addMoney(cart.subtotal, state.quote.cost))}`}`}
            </button>
            ${state.placing ? loading("Reserving stock, charging your card and booking the shipment…") : nothing}
          </form>
          ${summary(cart, state.quote, state.quoting)}
        </div>`;
    },
  };
};

function summary(cart: Cart, quote: { cost: Money; days: number } | undefined, quoting: boolean): TemplateResult {
  return html`<aside class="summary card" aria-labelledby="summary-heading">
    <h2 id="summary-heading">Order summary</h2>
    <ul class="summary-lines">
      ${cart.lines.map((l) => html`<li><span>${l.name} <span class="meta">× ${l.quantity}</span></span><span>${formatMoney(l.lineTotal)}</span></li>`)}
    </ul>
    <dl>
      <div><dt>Subtotal</dt><dd>${formatMoney(cart.subtotal)}</dd></div>
      <div>
        <dt>Shipping</dt>
        <dd aria-live="polite">
          ${quoting ? "Calculating…" : quote === undefined ? html`<span class="meta">Enter your address</span>` : html`${formatMoney(quote.cost)} <span class="meta">(${quote.days} ${quote.days === 1 ? "day" : "days"})</span>`}
        </dd>
      </div>
      <div class="total"><dt>Total</dt><dd>${quote === undefined || cart.subtotal === undefined ? "—" : formatMoney(addMoney(cart.subtotal, quote.cost))}</dd></div>
    </dl>
    <p><a href=${routeHref({ page: "cart" })}>Change your cart</a></p>
  </aside>`;
}

function readValues(form: HTMLFormElement): Values {
  const data = new FormData(form);
  const get = (name: keyof Values): string => String(data.get(name) ?? "");
  return {
    recipientName: get("recipientName"),
    street1: get("street1"),
    street2: get("street2"),
    city: get("city"),
    postalCode: get("postalCode"),
    regionCode: get("regionCode"),
    cardNumber: get("cardNumber"),
    expMonth: get("expMonth"),
    expYear: get("expYear"),
    cvc: get("cvc"),
  };
}

function address(v: Values): { recipientName: string; streetLines: string[]; city: string; postalCode: string; regionCode: string } {
  return {
    recipientName: v.recipientName,
    streetLines: v.street2 === "" ? [v.street1] : [v.street1, v.street2],
    city: v.city,
    postalCode: v.postalCode,
    regionCode: v.regionCode,
  };
}

/** PlaceOrder's failures in words that say what happened to the money and the cart. */
function placementProblem(problem: Problem): Problem {
  if (problem.code === Code.Unavailable) {
    return {
      ...problem,
      message:
        "We could not place your order: part of the shop is not answering right now. Your card was not charged and your cart is unchanged. Please try again in a moment.",
    };
  }
  return problem;
}

const regionOptions = regionCodes.map((code) => ({ value: code, label: regionName(code) }));

function monthOptions(): { value: string; label: string }[] {
  return [
    { value: "", label: "Month" },
    ...Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: String(i + 1).padStart(2, "0") })),
  ];
}

function yearOptions(): { value: string; label: string }[] {
  const year = new Date().getFullYear();
  return [{ value: "", label: "Year" }, ...Array.from({ length: 12 }, (_, i) => ({ value: String(year + i), label: String(year + i) }))];
}
