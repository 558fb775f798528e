// The storefront in a real Chromium against the whole shop (stores, services, sidecars, gateway
// and the page's own server), on a port base of its own. Each test is what a shopper does and
// sees; the shopper's steps build on each other, as one visit to the shop would.
//
// Needs the built page: `npm run build -w web` (make does it before the tests).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { startShop, type RunningShop } from "@shopmesh/devstack";
import { NotificationKind, NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { createGrpcClient } from "@shopmesh/kit";
import { eventually, implOverrides, repoRoot, testAddress, testCards, type TestCard } from "@shopmesh/testkit";

/** WEB_TEST_PORT_BASE, or a base whose ports are all free. */
const base = process.env["WEB_TEST_PORT_BASE"] === undefined ? "free" : Number(process.env["WEB_TEST_PORT_BASE"]);
const outputDir = join(repoRoot, "web", "test-output");
const shopper = { name: "Ada Shopper", email: `ada-${process.pid}-${Date.now()}@example.com`, password: "correct horse battery" };

let runDir: string;
let shop: RunningShop | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let storefront: string;

beforeAll(async () => {
  if (!existsSync(join(repoRoot, "web", "dist", "index.html"))) throw new Error("web/dist is missing: run `npm run build -w web` first");
  runDir = mkdtempSync(join(tmpdir(), "shopmesh-web-"));
  shop = await startShop({ base, runDir, seedStock: 1_000, impl: implOverrides() });
  const web = shop.running.find((r) => r.component.kind === "web");
  if (web === undefined) throw new Error("the shop started without its web component");
  storefront = `http://127.0.0.1:${web.component.port}/`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-quic",
      "--disable-sync",
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US", timezoneId: "UTC" });
  // The page must need nothing but this machine: anything else is refused, and would show.
  await context.route(
    (url) => url.hostname !== "127.0.0.1" && url.hostname !== "localhost",
    (route) => route.abort(),
  );
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  mkdirSync(outputDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shop?.stop();
  if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true });
}, 60_000);

const heading = (name: string | RegExp): Locator => page.getByRole("heading", { level: 1, name });
const productNames = (): Promise<string[]> => page.locator(".product-card h2").allTextContents();
const cartLink = (): Locator => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Cart/ });
const cartRows = (): Locator => page.getByRole("table").locator("tbody tr");
const subtotal = (): Locator => page.locator(".summary dl > div", { hasText: "Subtotal" }).locator("dd");

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The WCAG 2.1 A and AA rules axe-core can check, as "rule: what (where)" per violation. */
async function accessibilityViolations(): Promise<string[]> {
  // Evaluated through the browser's debugging protocol, which the page's CSP does not restrict.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import("axe-core") }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
}

async function openStorefront(hash = "#/"): Promise<void> {
  await page.goto(`${storefront}${hash}`);
}

async function fillCheckout(postalCode: string, card: TestCard): Promise<void> {
  await page.getByLabel("Full name").fill(shopper.name);
  await page.getByLabel("Street address").fill(testAddress.streetLines[0] ?? "");
  await page.getByLabel("City").fill(testAddress.city);
  await page.getByLabel("Postal code").fill(postalCode);
  await page.getByLabel("Country or region").selectOption(testAddress.regionCode);
  await page.getByLabel("Card number").fill(card.number);
  await page.getByLabel("Expiry month").selectOption(String(card.expMonth));
  await page.getByLabel("Expiry year").selectOption(String(card.expYear));
  await page.getByLabel("CVC").fill(card.cvc);
}

describe("browsing the catalog", () => {
  it("lists products a page at a time, forward and back", async () => {
    await openStorefront();
    await heading("All products").waitFor({ state: "visible" });
    await page.locator(".product-card").first().waitFor();
    const first = await productNames();
    expect(first).toHaveLength(8);

    await page.getByRole("button", { name: "Next →" }).click();
    await heading(/page 2/).waitFor();
    await eventually(async () => {
      expect(await productNames()).not.toEqual(first);
      return true;
    });
    const second = await productNames();
    expect(second.filter((name) => first.includes(name))).toEqual([]);

    await page.getByRole("button", { name: "← Previous" }).click();
    await heading("All products").waitFor();
    await eventually(async () => {
      expect(await productNames()).toEqual(first);
      return true;
    });
  });

  it("filters by category", async () => {
    await openStorefront();
    await page.getByLabel("Category").selectOption({ label: "Books" });
    await heading("Books").waitFor();
    await eventually(async () => {
      const books = ["gRPC by Example", "Practical TypeScript", "Distributed Systems in Practice"];
      expect(await productNames()).toEqual(expect.arrayContaining(books));
      return true;
    });
    expect(await productNames()).not.toContain("Canvas Cap");
  });

  it("searches names and descriptions, and says when nothing matches", async () => {
    await openStorefront();
    await page.getByRole("searchbox", { name: "Search products" }).fill("mug");
    await page.getByRole("button", { name: "Search" }).click();
    await heading("Results for “mug”").waitFor();
    await eventually(async () => {
      expect(await productNames()).toEqual(["Mesh Mug, Blue", "Mesh Mug, White"]);
      return true;
    });

    await page.getByRole("searchbox", { name: "Search products" }).fill("unicorn saddle");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("No products match “unicorn saddle”.").waitFor();
  });
});

describe("a shopper's visit", () => {
  it("is asked to log in before adding to the cart", async () => {
    await openStorefront("#/?q=mug");
    await page.getByRole("button", { name: "Add to cart (Mesh Mug, Blue)" }).click();
    await heading("Log in").waitFor();
    await page.getByText("Log in to add products to your cart.").waitFor();
  });

  it("registers (a too-short password is named) and logs in", async () => {
    await page.getByRole("link", { name: "Register" }).first().click();
    await heading("Create an account").waitFor();
    await page.getByLabel("Email").fill(shopper.email);
    await page.getByLabel("Your name").fill(shopper.name);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Password must be at least 8 characters.").waitFor();
    await expect(page.getByLabel("Password").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(await accessibilityViolations()).toEqual([]);

    await page.getByLabel("Password").fill(shopper.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText(`Welcome, ${shopper.name}! Your account is ready`).waitFor();
    await heading("Log in").waitFor();
    await expect(page.getByLabel("Email").inputValue()).resolves.toBe(shopper.email);

    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").getByText("Wrong email or password.").waitFor();

    await page.getByLabel("Password").fill(shopper.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText(`Hi, ${shopper.name}`).waitFor();
    await heading("All products").waitFor();
  });

  it("adds products from the list and from a product page", async () => {
    await page.getByRole("searchbox", { name: "Search products" }).fill("mug");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("button", { name: "Add to cart (Mesh Mug, Blue)" }).click();
    await page.getByText("Added Mesh Mug, Blue to your cart (1 in cart).").waitFor();
    await eventually(async () => {
      expect(await cartLink().textContent()).toMatch(/Cart\s*1 items/);
      return true;
    });

    await page.getByLabel("Category").selectOption({ label: "Kitchen" });
    await heading("Kitchen").waitFor();
    await page.getByRole("link", { name: "Gooseneck Kettle" }).click();
    await heading("Gooseneck Kettle").waitFor();
    await page.getByText("$59.00").waitFor();
    await page.getByLabel("Quantity").fill("2");
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.getByText("Added Gooseneck Kettle to your cart (2 in cart).").waitFor();

    await page.getByRole("link", { name: "← Back to products" }).click();
    await heading("Kitchen").waitFor();
    await page.getByRole("button", { name: "Add to cart (Oak Cutting Board)" }).click();
    await page.getByText("Added Oak Cutting Board to your cart (1 in cart).").waitFor();
    await eventually(async () => {
      expect(await cartLink().textContent()).toMatch(/Cart\s*4 items/);
      return true;
    });

    // The storefront as the README shows it: a signed-in shopper with a filled cart.
    await page.getByLabel("Category").selectOption({ label: "All categories" });
    await heading("All products").waitFor();
    await page.locator(".product-card").nth(7).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(repoRoot, "docs", "storefront.png") });
    expect(await accessibilityViolations()).toEqual([]);
  });

  it("changes quantities and removes a line in the cart, with totals to match", async () => {
    await cartLink().click();
    await heading("Your cart").waitFor();
    await eventually(async () => {
      expect(await cartRows().count()).toBe(3);
      return true;
    });
    await expect(subtotal().textContent()).resolves.toBe("$165.00"); // 12.50 + 2 × 59.00 + 34.50

    await page.getByRole("button", { name: "One more Mesh Mug, Blue" }).click();
    await page.getByText("Mesh Mug, Blue: quantity 2.").waitFor();
    await eventually(async () => {
      expect(await subtotal().textContent()).toBe("$177.50");
      return true;
    });

    await page.getByRole("button", { name: "One fewer Gooseneck Kettle" }).click();
    await page.getByText("Gooseneck Kettle: quantity 1.").waitFor();
    await eventually(async () => {
      expect(await subtotal().textContent()).toBe("$118.50");
      return true;
    });
    // The line keeps its place although the service re-added it.
    await expect(cartRows().locator("th").allTextContents()).resolves.toEqual([
      expect.stringContaining("Mesh Mug, Blue"),
      expect.stringContaining("Gooseneck Kettle"),
      expect.stringContaining("Oak Cutting Board"),
    ]);

    expect(await accessibilityViolations()).toEqual([]);
    await page.getByRole("button", { name: "Remove Oak Cutting Board" }).click();
    await page.getByText("Removed Oak Cutting Board from your cart.").waitFor();
    await eventually(async () => {
      expect(await cartRows().count()).toBe(2);
      return true;
    });
    await eventually(async () => {
      expect(await subtotal().textContent()).toBe("$84.00");
      return true;
    });
    await eventually(async () => {
      expect(await cartLink().textContent()).toMatch(/Cart\s*3 items/);
      return true;
    });
  });

  it("names the field at checkout when the postal code is not a ZIP code", async () => {
    await page.getByRole("link", { name: "Check out" }).click();
    await heading("Checkout").waitFor();
    await page.getByText(testCards.succeeds.number).waitFor(); // the test cards are listed
    await fillCheckout("ABCDE", testCards.succeeds);
    await page.getByRole("button", { name: /^Place order/ }).click();
    await page.getByText("Postal code must be a US ZIP code").waitFor();
    await expect(page.getByLabel("Postal code").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("postal-code");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Please check the highlighted fields.");
    expect(await accessibilityViolations()).toEqual([]);
  });

  it("shows why a card was declined and keeps the cart", async () => {
    await page.getByLabel("Postal code").fill(testAddress.postalCode);
    await page.getByLabel("Card number").fill(testCards.declined.number);
    await page.getByRole("button", { name: /^Place order/ }).click();
    const alert = page.getByRole("alert");
    await alert.getByText("Your card was declined: insufficient funds.").waitFor({ timeout: 15_000 });
    await expect(alert.textContent()).resolves.toContain("your cart is unchanged");
    expect(await page.getByText("Postal code must be").count()).toBe(0);
    // Still on checkout, with what was typed, and the cart as it was.
    await heading("Checkout").waitFor();
    await expect(page.getByLabel("Street address").inputValue()).resolves.toBe(testAddress.streetLines[0]);
    await expect(page.locator(".summary-lines li").count()).resolves.toBe(2);
    await cartLink().click();
    await heading("Your cart").waitFor();
    await eventually(async () => {
      expect(await cartRows().count()).toBe(2);
      return true;
    });
    await expect(subtotal().textContent()).resolves.toBe("$84.00");
  });

  it("checks out with a good card: the order is confirmed and the notification arrives live", async () => {
    await page.getByRole("link", { name: "Check out" }).click();
    await heading("Checkout").waitFor();
    await fillCheckout(testAddress.postalCode, testCards.succeeds);
    await eventually(async () => {
      // shipping quoted
      expect(await page.locator(".summary .total dd").textContent()).toMatch(/^\$\d+\.\d\d$/);
      return true;
    });
    // Marks this document: if the page reloaded, the mark would be gone.
    await page.evaluate(() => document.documentElement.setAttribute("data-visit", "one"));

    await page.getByRole("button", { name: /^Place order/ }).click();
    await heading(/^Order /).waitFor({ timeout: 15_000 });
    await page.getByText("Thank you! Your order is placed.").waitFor();
    await expect(page.locator(".order-state .badge").textContent()).resolves.toBe("Confirmed");
    const orderId = (await page.locator(".order-id").textContent()) ?? "";
    expect(orderId).not.toBe("");

    const toast = page.locator(".toast", { hasText: "Order confirmed" });
    await toast.getByText(`Your order ${orderId} is confirmed`).waitFor();
    await expect(page.evaluate(() => document.documentElement.getAttribute("data-visit"))).resolves.toBe("one");
    await page.getByRole("button", { name: /^Notifications, \d+ new$/ }).waitFor({ state: "visible" });
    await eventually(async () => {
      expect(await cartLink().textContent()).toBe("Cart");
      return true;
    });
    await page.screenshot({ path: join(outputDir, "order-confirmed.png") });

    await page.getByRole("button", { name: /^Notifications/ }).click();
    const panel = page.getByRole("region", { name: "Notifications" });
    await panel.getByText(`Your order ${orderId} is confirmed`).waitFor();
    await panel.getByText("Live:").waitFor({ state: "visible" });
    expect(await accessibilityViolations()).toEqual([]);
  });

  it("lists the orders in the history with their states", async () => {
    await page.getByRole("link", { name: "← All orders" }).click();
    await heading("Your orders").waitFor();
    const rows = page.getByRole("table").locator("tbody tr");
    await eventually(async () => {
      expect(await rows.count()).toBe(2);
      return true;
    });
    await expect(rows.nth(0).locator(".badge").textContent()).resolves.toBe("Confirmed");
    await expect(rows.nth(1).locator(".badge").textContent()).resolves.toBe("Cancelled");
    await expect(rows.nth(1).textContent()).resolves.toContain("insufficient funds");
  });

  it("resubscribes after losing the gateway and gets what it missed, once", async () => {
    const panel = page.getByRole("region", { name: "Notifications" });
    await page.getByRole("button", { name: /^Notifications/ }).click();
    const before = await panel.locator("li").count();
    expect(before).toBe(2); // the declined order's and the confirmed order's

    await shop?.kill("gateway");
    await panel.getByText("Reconnecting…").waitFor();
    // While the page is cut off, a notification is sent to the shopper behind the gateway's back.
    const userId = await page.evaluate(
      () => (JSON.parse(sessionStorage.getItem("shopmesh.session") ?? "{}") as { user: { id: string } }).user.id,
    );
    const notifications = createGrpcClient(NotificationService, shop?.serviceAddress("notification") ?? "", { defaultTimeoutMs: 5_000 });
    try {
      await notifications.sendNotification({ userId, kind: NotificationKind.GENERIC, text: "Your parcel left the warehouse." });
    } finally {
      notifications.close();
    }
    await shop?.restart("gateway");

    await panel.getByText("Your parcel left the warehouse.").waitFor({ timeout: 20_000 });
    await panel.getByText("Live:").waitFor();
    await page.locator(".toast").getByText("Your parcel left the warehouse.").waitFor();
    expect(await panel.locator("li").count()).toBe(before + 1);
    await page.getByRole("button", { name: /^Notifications/ }).click();
  });

  it("sends a shopper whose token the gateway refuses back to log in", async () => {
    await page.evaluate(() => {
      const key = "shopmesh.session";
      const session = JSON.parse(sessionStorage.getItem(key) ?? "{}") as Record<string, unknown>;
      sessionStorage.setItem(key, JSON.stringify({ ...session, accessToken: "not.a.token" }));
    });
    await openStorefront("#/orders");
    await page.reload();
    await heading("Log in").waitFor();
    await page.getByText("Your session expired, please log in again.").waitFor();
    expect(await page.getByText(`Hi, ${shopper.name}`).count()).toBe(0);

    // Logging in again leads back to the page the shopper was on.
    await page.getByLabel("Email").fill(shopper.email);
    await page.getByLabel("Password").fill(shopper.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await heading("Your orders").waitFor();
    await page.getByText(`Hi, ${shopper.name}`).waitFor();
  });
});
