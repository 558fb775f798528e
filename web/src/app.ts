// The storefront: routes to pages, keeps the shopper's session, cart count and notifications, and
// renders the frame and the current page with lit-html whenever something changed.
import { html, render } from "lit-html";
import { Code } from "@connectrpc/connect";
import type { Cart } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import type { LoginResponse } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { createApi, type Api } from "./api.js";
import type { AppContext, Page } from "./context.js";
import { describeProblem, type Problem } from "./errors.js";
import { NotificationFeed } from "./feed.js";
import { home, parseRoute, routeHref, type Route } from "./router.js";
import { isExpired, sessionFromLogin, type Session, type SessionStore } from "./session.js";
import { cartPage } from "./views/cart.js";
import { checkoutPage } from "./views/checkout.js";
import { layout, type Shell, type Toast } from "./views/layout.js";
import { loginPage } from "./views/login.js";
import { orderPage } from "./views/order.js";
import { ordersPage } from "./views/orders.js";
import { productPage } from "./views/product.js";
import { productsPage } from "./views/products.js";
import { registerPage } from "./views/register.js";

const expiredMessage = "Your session expired, please log in again.";
const toastMs = 12_000;
/** setTimeout's longest delay; a token that lives longer is checked again then. */
const maxTimerMs = 2_147_483_647;

const loginReasons: Partial<Record<Route["page"], string>> = {
  cart: "Log in to see your cart.",
  checkout: "Log in to check out.",
  orders: "Log in to see your orders.",
  order: "Log in to see your orders.",
};

export class App implements AppContext, Shell {
  readonly api: Api;
  session: Session | undefined;
  cartCount: number | undefined;
  route: Route = home;
  toasts: Toast[] = [];
  panelOpen = false;
  notice: string | undefined;
  registeredEmail = "";
  browsing: AppContext["browsing"];
  private page: Page = { title: "", view: () => html`` };
  private pageAbort = new AbortController();
  private pendingFlash: string | undefined;
  private feed: NotificationFeed | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private categoryList: Promise<readonly string[]> | undefined;
  private renderQueued = false;
  private afterRenderQueue: (() => void)[] = [];
  private toastSeq = 0;
  private opened = false;

  constructor(
    private readonly root: HTMLElement,
    gatewayUrl: string,
    private readonly store: SessionStore,
  ) {
    this.api = createApi(gatewayUrl, () => this.session?.accessToken);
  }

  start(): void {
    const stored = this.store.load();
    if (stored !== undefined && isExpired(stored)) {
      this.store.clear();
      this.pendingFlash = expiredMessage;
    } else if (stored !== undefined) {
      this.beginSession(stored);
      // The token may have been revoked or signed by a key the gateway no longer has.
      this.api.users.getMe({}).catch((err: unknown) => this.problem(err));
    }
    window.addEventListener("hashchange", () => this.open());
    this.open();
  }

  // ---- AppContext

  get here(): string {
    return routeHref(this.route);
  }

  update(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  afterRender(fn: () => void): void {
    this.afterRenderQueue.push(fn);
    this.update();
  }

  go(route: Route): void {
    const hash = routeHref(route);
    if (location.hash === hash) this.open();
    else location.hash = hash;
  }

  problem(err: unknown): Problem {
    const problem = describeProblem(err);
    if (problem.code === Code.Unauthenticated && this.session !== undefined) this.expire();
    return problem;
  }

  flash(message: string): void {
    this.pendingFlash = message;
  }

  signIn(res: LoginResponse): void {
    const session = sessionFromLogin(res);
    this.store.save(session);
    this.registeredEmail = "";
    this.beginSession(session);
  }

  cartChanged(cart: Cart | undefined): void {
    if (cart !== undefined) {
      this.cartCount = cart.itemCount;
      this.update();
      return;
    }
    this.api.cart.getCart({}).then(
      (res) => this.cartChanged(res.cart),
      () => undefined,
    );
  }

  categories(): Promise<readonly string[]> {
    this.categoryList ??= this.api.catalog.listProducts({ pageSize: 100 }).then(
      (page) => [...new Set(page.products.flatMap((p) => p.categories))].sort(),
      () => {
        // Try again next time; the list works without the filter meanwhile.
        this.categoryList = undefined;
        return [];
      },
    );
    return this.categoryList;
  }

  // ---- Shell

  get notifications(): Shell["notifications"] {
    return this.feed?.items ?? [];
  }

  get unread(): number {
    return this.feed?.unread ?? 0;
  }

  get feedStatus(): Shell["feedStatus"] {
    return this.feed?.status ?? "connecting";
  }

  toggleNotifications(): void {
    this.panelOpen = !this.panelOpen;
    if (this.panelOpen) this.feed?.markRead();
    this.update();
  }

  dismissToast(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
    this.update();
  }

  signOut(): void {
    this.endSession();
    this.pendingFlash = "You are logged out.";
    this.go(home);
  }

  skipToContent(): void {
    this.root.querySelector<HTMLElement>("main")?.focus();
  }

  // ---- internals

  private open(): void {
    const route = parseRoute(location.hash);
    const reason = loginReasons[route.page];
    if (reason !== undefined && this.session === undefined) {
      this.pendingFlash ??= reason;
      this.go({ page: "login", next: routeHref(route) });
      return;
    }
    const first = this.opened === false;
    this.opened = true;
    this.pageAbort.abort();
    this.pageAbort = new AbortController();
    this.route = route;
    this.notice = this.pendingFlash;
    this.pendingFlash = undefined;
    this.panelOpen = false;
    this.page = this.createPage(route, this.pageAbort.signal);
    if (!first) this.afterRenderQueue.push(() => this.root.querySelector<HTMLElement>("main h1")?.focus());
    this.update();
  }

  private createPage(route: Route, signal: AbortSignal): Page {
    switch (route.page) {
      case "products":
        return productsPage(this, route, signal);
      case "product":
        return productPage(this, route, signal);
      case "login":
        return loginPage(this, route, signal);
      case "register":
        return registerPage(this, route, signal);
      case "cart":
        return cartPage(this, route, signal);
      case "checkout":
        return checkoutPage(this, route, signal);
      case "orders":
        return ordersPage(this, route, signal);
      case "order":
        return orderPage(this, route, signal);
      case "not-found":
        return {
          title: "Not found",
          view: () => html`<h1 tabindex="-1">Page not found</h1>
            <p>There is no page at this address. <a href="#/">Go to the products</a>.</p>`,
        };
    }
  }

  private render(): void {
    render(layout(this, this.page.view()), this.root);
    document.title = this.page.title === "" ? "shopmesh" : `${this.page.title} · shopmesh`;
    const queue = this.afterRenderQueue;
    this.afterRenderQueue = [];
    for (const fn of queue) fn();
  }

  private beginSession(session: Session): void {
    this.session = session;
    this.feed?.stop();
    this.feed = new NotificationFeed(this.api, {
      changed: () => this.update(),
      arrived: (notification) => this.showToast(notification),
      unauthenticated: () => this.expire(),
    });
    this.feed.start();
    this.cartChanged(undefined);
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => this.checkExpiry(), Math.min(Math.max(session.expiresAt - Date.now(), 0), maxTimerMs));
    this.update();
  }

  private checkExpiry(): void {
    const session = this.session;
    if (session === undefined) return;
    if (isExpired(session)) this.expire();
    else this.expiryTimer = setTimeout(() => this.checkExpiry(), Math.min(session.expiresAt - Date.now(), maxTimerMs));
  }

  private endSession(): void {
    this.store.clear();
    this.session = undefined;
    this.feed?.stop();
    this.feed = undefined;
    this.cartCount = undefined;
    this.toasts = [];
    clearTimeout(this.expiryTimer);
  }

  /** The gateway refused the token (expired or unknown): log out and ask to log in again. */
  private expire(): void {
    if (this.session === undefined) return;
    this.endSession();
    this.pendingFlash = expiredMessage;
    this.go({ page: "login", next: this.route.page === "login" ? "" : this.here });
  }

  private showToast(notification: Toast["notification"]): void {
    const id = ++this.toastSeq;
    this.toasts = [...this.toasts, { id, notification }].slice(-3);
    setTimeout(() => this.dismissToast(id), toastMs);
    this.update();
  }
}
