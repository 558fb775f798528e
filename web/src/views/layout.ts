// The frame around every page: header with navigation, the shopper's account and notifications,
// a message from the previous page, and live notices as notifications arrive.
import { html, nothing, type TemplateResult } from "lit-html";
import { NotificationKind, type Notification } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import type { FeedStatus } from "../feed.js";
import type { Route } from "../router.js";
import type { Session } from "../session.js";
import { timeElement } from "./parts.js";

export interface Toast {
  readonly id: number;
  readonly notification: Notification;
}

export interface Shell {
  readonly route: Route;
  readonly session: Session | undefined;
  readonly cartCount: number | undefined;
  readonly notifications: readonly Notification[];
  readonly unread: number;
  readonly feedStatus: FeedStatus;
  readonly panelOpen: boolean;
  readonly toasts: readonly Toast[];
  /** A message from the previous page (e.g. why the shopper has to log in). */
  readonly notice: string | undefined;
  toggleNotifications(): void;
  dismissToast(id: number): void;
  signOut(): void;
  skipToContent(): void;
}

export function layout(shell: Shell, content: TemplateResult): TemplateResult {
  const current = (pages: readonly Route["page"][]): "page" | typeof nothing => (pages.includes(shell.route.page) ? "page" : nothing);
  return html`
    <a class="skip-link" href="#main" @click=${(e: Event) => {
      e.preventDefault();
      shell.skipToContent();
    }}>Skip to content</a>
    <header class="site-header">
      <div class="header-inner">
        <a class="brand" href="#/"><span class="brand-mark" aria-hidden="true"></span>shopmesh</a>
        <nav aria-label="Main">
          <ul>
            <li><a href="#/" aria-current=${current(["products", "product"])}>Products</a></li>
            <li>
              <a href="#/cart" aria-current=${current(["cart", "checkout"])}
                >Cart${
                  shell.cartCount === undefined || shell.cartCount === 0
                    ? nothing
                    : html` <span class="count">${shell.cartCount}<span class="visually-hidden"> items</span></span>`
                }</a
              >
            </li>
            <li><a href="#/orders" aria-current=${current(["orders", "order"])}>Orders</a></li>
          </ul>
        </nav>
        <div class="account">${shell.session === undefined ? signedOut() : signedIn(shell)}</div>
      </div>
      ${shell.session !== undefined && shell.panelOpen ? notificationPanel(shell) : nothing}
    </header>
    <main id="main" tabindex="-1">
      ${shell.notice === undefined ? nothing : html`<p class="banner info" role="status">${shell.notice}</p>`} ${content}
    </main>
    <div class="toasts" role="status" aria-live="polite">${shell.toasts.map((t) => toast(shell, t))}</div>
    <footer class="site-footer"><p>shopmesh — a demo shop. Prices in US dollars; nothing is really charged.</p></footer>
  `;
}

function signedOut(): TemplateResult {
  return html`<a href="#/login">Log in</a><a class="button small" href="#/register">Register</a>`;
}

function signedIn(shell: Shell): TemplateResult {
  const label = shell.unread > 0 ? `Notifications, ${shell.unread} new` : "Notifications";
  return html`
    <button
      type="button"
      class="bell"
      aria-expanded=${shell.panelOpen ? "true" : "false"}
      aria-controls="notification-panel"
      aria-label=${label}
      @click=${() => shell.toggleNotifications()}
    >
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <path d="M12 3a6 6 0 0 0-6 6v3.6L4.3 16h15.4L18 12.6V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0z" fill="currentColor" />
      </svg>
      ${shell.unread > 0 ? html`<span class="badge-count" aria-hidden="true">${shell.unread}</span>` : nothing}
    </button>
    <span class="who">Hi, ${shell.session?.user.displayName}</span>
    <button type="button" class="link" @click=${() => shell.signOut()}>Log out</button>
  `;
}

const kindLabels: Record<NotificationKind, string> = {
  [NotificationKind.UNSPECIFIED]: "Notice",
  [NotificationKind.ORDER_CONFIRMED]: "Order confirmed",
  [NotificationKind.ORDER_CANCELLED]: "Order cancelled",
  [NotificationKind.ORDER_SHIPPED]: "Order shipped",
  [NotificationKind.GENERIC]: "Notice",
};

function notificationPanel(shell: Shell): TemplateResult {
  const status =
    shell.feedStatus === "live"
      ? "Live: new notifications appear here as they happen."
      : shell.feedStatus === "connecting"
        ? "Connecting…"
        : "Reconnecting…";
  return html`<section id="notification-panel" class="panel" aria-labelledby="notification-heading">
    <div class="panel-head">
      <h2 id="notification-heading">Notifications</h2>
      <p class="feed-status feed-${shell.feedStatus}"><span class="dot" aria-hidden="true"></span>${status}</p>
    </div>
    ${
      shell.notifications.length === 0
        ? html`<p class="empty">Nothing yet. We will let you know when your orders change.</p>`
        : html`<ul class="notifications">
          ${shell.notifications.map(
            (n) => html`<li class="notification kind-${n.kind}">
              <p class="kind">${kindLabels[n.kind]}</p>
              <p>${n.text}</p>
              ${timeElement(n.createTime)}
            </li>`,
          )}
        </ul>`
    }
  </section>`;
}

function toast(shell: Shell, t: Toast): TemplateResult {
  return html`<div class="toast kind-${t.notification.kind}">
    <div>
      <p class="kind">${kindLabels[t.notification.kind]}</p>
      <p>${t.notification.text}</p>
    </div>
    <button type="button" class="close" aria-label="Dismiss" @click=${() => shell.dismissToast(t.id)}>×</button>
  </div>`;
}
