// What every page may use: the shop's clients, the shopper, navigation and the shared handling of
// errors. The App implements it; pages get it as an argument and keep no globals.
import type { TemplateResult } from "lit-html";
import type { Cart } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import type { LoginResponse } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import type { Api } from "./api.js";
import type { Problem } from "./errors.js";
import type { Route } from "./router.js";
import type { Session } from "./session.js";

export interface Page {
  /** The document title while the page is shown. */
  readonly title: string;
  view(): TemplateResult;
}

export interface AppContext {
  readonly api: Api;
  /** The signed-in shopper, if any. */
  readonly session: Session | undefined;
  /** The hash of the page shown now, to come back to (e.g. after logging in). */
  readonly here: string;
  /** Shows the page's state again; call after changing it. Batched. */
  update(): void;
  /** Runs `fn` once the next update is on the screen (e.g. to move focus to a message). */
  afterRender(fn: () => void): void;
  go(route: Route): void;
  /** What to show for a failed call. An expired session also ends here: log out, go to log in. */
  problem(err: unknown): Problem;
  /** A message shown at the top of the next page. */
  flash(message: string): void;
  signIn(res: LoginResponse): void;
  /** Keeps the header's cart count in step after a call returned the cart. */
  cartChanged(cart: Cart | undefined): void;
  /** The categories to filter by (from the first page of the catalog; cached). */
  categories(): Promise<readonly string[]>;
  /** Remembered between pages: the email just registered (for the login form). */
  registeredEmail: string;
  /** Remembered between pages: the product list's page tokens, to come back to the same page. */
  browsing: { readonly category: string; readonly query: string; readonly tokens: string[] } | undefined;
}

/** A page for one route; `signal` aborts when the shopper leaves it. */
export type PageFactory<R extends Route = Route> = (ctx: AppContext, route: R, signal: AbortSignal) => Page;
