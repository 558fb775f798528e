// The saga's invariants (see checkSagaInvariants in the test kit), checked against the real
// services after every saga test, over what this test file did: every order of every user it
// created, and every SKU it stocked with one SetStock while nothing was reserved.
import { asUser, checkSagaInvariants } from "@shopmesh/testkit";
import { allOrders, newUser } from "./fixtures.js";
import type { Shop } from "./shop.js";

export interface Ledger {
  /** SetStock `available` on a SKU the test file has not stocked before, and remember it. */
  setStock(sku: string, available: number): Promise<void>;
  /** A new user whose orders the check covers. */
  user(): string;
  /** Waits for every order to be final, then throws one error listing every broken invariant. */
  check(timeoutMs?: number): Promise<void>;
}

export function createLedger(shop: Shop): Ledger {
  const stocked = new Map<string, number>();
  const users = new Set<string>();
  const { payment, shipping, inventory } = shop.clients;
  return {
    async setStock(sku, available) {
      if (stocked.has(sku)) throw new Error(`${sku} was stocked before; the ledger takes one SetStock per SKU`);
      await inventory.setStock({ sku, available });
      stocked.set(sku, available);
    },

    user() {
      const id = newUser();
      users.add(id);
      return id;
    },

    check(timeoutMs = 10_000) {
      const orders = async () => (await Promise.all([...users].map((u) => allOrders(shop, u)))).flat();
      const notificationsOf = async (userId: string) =>
        (await shop.clients.notification.listNotifications({ pageSize: 100 }, asUser(userId))).notifications;
      return checkSagaInvariants({ orders, stocked: async () => stocked, payment, shipping, inventory, notificationsOf }, { timeoutMs });
    },
  };
}
