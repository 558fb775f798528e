// Virtual shoppers through the gateway: startLoad signs them in, starts their visits (each shopper
// in a loop, or new visits at a fixed arrival rate), holds a share of them on a Subscribe stream, and
// counts every call until the run's duration is over or stop() is called.
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ConnectError } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { NotificationService } from "@shopmesh/gen/shop/notification/v1/notification_pb.js";
import { OrderService } from "@shopmesh/gen/shop/order/v1/order_pb.js";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { createGrpcClient } from "@shopmesh/kit";
import { createAccounts, type Account, type TokenSettings } from "./accounts.js";
import {
  defaultMix,
  methodNames,
  stepNames,
  visit,
  type KnownCatalog,
  type ScenarioMix,
  type ShopClients,
  type Shopper,
  type VisitContext,
} from "./scenario.js";
import { createStats, type CallStats, type Failure, type Window } from "./stats.js";
import { holdSubscription, type StreamStats } from "./subscription.js";

export interface LoadOptions {
  /** The gateway's host:port. */
  readonly gateway: string;
  /** How shoppers get their tokens (the shop's signing key and the claims the gateway checks). */
  readonly tokens: TokenSettings;
  /** Virtual shoppers: each a loop of visits, or (with `rate`) at most this many visits at once. */
  readonly shoppers: number;
  /** How long the run lasts; absent: until stop(). */
  readonly durationMs?: number;
  /**
   * Open model: new visits per second, whatever the shop's latency (k6's constant-arrival-rate); an
   * arrival that finds every shopper busy is dropped and counted. Absent: closed loop, each shopper
   * starting its next visit when the last one ends.
   */
  readonly rate?: number;
  /** Per step, the chance that a visit takes it (default `defaultMix`); steps left out never run. */
  readonly mix?: ScenarioMix;
  /** Pause after each step, uniformly drawn from [min, max] ms (default 200–800; a number: exactly that). */
  readonly thinkTimeMs?: number | { readonly min: number; readonly max: number };
  /** Shoppers that sign up and log in through the gateway (default min(2, shoppers)); the others' tokens are minted. */
  readonly registered?: number;
  /** The share of shoppers that hold a Subscribe stream for the whole run (default 0.25; at least one unless 0). */
  readonly subscribeShare?: number;
  /** The share of checkouts that use the declining test card (default 0.2). */
  readonly declineShare?: number;
  /** Connections to the gateway per service the shoppers share (default min(4, shoppers)). */
  readonly connections?: number;
  /** Each call's deadline (default 10 s). */
  readonly callTimeoutMs?: number;
}

export interface LoadProgress {
  readonly elapsedMs: number;
  /** Shoppers in a visit (closed loop: all of them until the run ends). */
  readonly activeShoppers: number;
  readonly streamsOpen: number;
  readonly calls: number;
  readonly errors: number;
  readonly declined: number;
  /** Arrivals dropped because every shopper was busy (open model only). */
  readonly dropped: number;
  /** The last full second. */
  readonly window: Window;
}

export interface LoadResult {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly shoppers: number;
  /** Arrivals per second (open model), or undefined for the closed loop. */
  readonly rate: number | undefined;
  readonly visits: number;
  readonly calls: number;
  readonly errors: number;
  readonly declined: number;
  readonly dropped: number;
  /** Calls per second over the whole run. */
  readonly rps: number;
  /** Per method ("CartService/AddItem"), in the order of the steps. */
  readonly methods: Readonly<Record<string, CallStats>>;
  /** Per scenario step ("browse", "checkout", …): a run counts once, with its worst outcome. */
  readonly steps: Readonly<Record<string, CallStats>>;
  readonly streams: StreamStats;
  /** The first hundred failures (calls and broken streams), in order. */
  readonly failures: readonly Failure[];
}

export interface LoadHandle {
  /** The shoppers' accounts (for checks afterwards, e.g. reading their carts or orders). */
  readonly accounts: readonly Account[];
  progress(): LoadProgress;
  /** Settles when the run ends: its duration over, or stop() called. */
  readonly done: Promise<LoadResult>;
  /** Ends the run: no new steps, calls in flight answered, streams closed; the same result on every call. */
  stop(): Promise<LoadResult>;
}

/** A shop that could not be loaded: not answering, or without the signing key. */
export class LoadSetupError extends Error {
  override readonly name = "LoadSetupError";
}

export async function startLoad(options: LoadOptions): Promise<LoadHandle> {
  const shoppersWanted = Math.max(1, Math.floor(options.shoppers));
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const stopping = new AbortController();
  const callTimeoutMs = options.callTimeoutMs ?? 10_000;
  // Own connections per group (grpc-js would otherwise share one per address across clients).
  const groups = Array.from({ length: Math.max(1, Math.min(options.connections ?? 4, shoppersWanted)) }, () =>
    shopClients(options.gateway, callTimeoutMs),
  );
  const first = groups[0] as ReturnType<typeof shopClients>;
  const closeAll = (): void => {
    for (const group of groups) for (const client of Object.values(group)) client.close();
  };

  let catalog: KnownCatalog;
  let accounts: Account[];
  try {
    catalog = await readCatalog(first.catalog, options.gateway);
    accounts = await createAccounts(first.user, {
      count: shoppersWanted,
      registered: Math.min(options.registered ?? 2, shoppersWanted),
      runId,
      tokens: options.tokens,
      signal: stopping.signal,
    }).catch((err: unknown) => {
      throw err instanceof ConnectError ? new LoadSetupError(`signing shoppers up at ${options.gateway}: ${err.message}`) : err;
    });
  } catch (err) {
    closeAll();
    throw err instanceof Error && err.name === "KeyFileError" ? new LoadSetupError(`the shop's signing key: ${err.message}`) : err;
  }

  const stats = createStats();
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  const ticker = setInterval(() => stats.tick(elapsed()), 1_000);
  let checkouts = 0;
  const declineShare = options.declineShare ?? 0.2;
  const think = thinkTime(options.thinkTimeMs ?? { min: 200, max: 800 });
  const context = (shopper: Shopper): VisitContext => ({
    clients: groups[shopper.index % groups.length] as ShopClients,
    catalog,
    mix: options.mix ?? defaultMix,
    stats,
    runId,
    signal: stopping.signal,
    nextCardDeclines: () => {
      // Evenly spread: checkout n declines when n·share crosses a whole number.
      checkouts++;
      return Math.floor(checkouts * declineShare) > Math.floor((checkouts - 1) * declineShare);
    },
    think: () => sleep(think(), undefined, { signal: stopping.signal }),
    random: Math.random,
  });
  const shoppers: Shopper[] = accounts.map((account, index) => ({ account, index, cart: new Map(), orders: 0 }));
  let visits = 0;
  let active = 0;
  let dropped = 0;
  const oneVisit = async (shopper: Shopper): Promise<void> => {
    active++;
    visits++;
    const ctx = context(shopper);
    try {
      // A visit the mix gave no step still waits: a loop of empty visits would never yield.
      if ((await visit(shopper, ctx)) === 0) await ctx.think();
    } catch (err) {
      if (stopping.signal.aborted) return;
      stats.fault("-", "visit", err instanceof Error ? err.message : String(err));
      await ctx.think().catch(() => undefined);
    } finally {
      active--;
    }
  };

  const subscribeShare = options.subscribeShare ?? 0.25;
  const subscribers = subscribeShare > 0 ? Math.max(1, Math.round(shoppersWanted * subscribeShare)) : 0;
  const streams = shoppers
    .slice(0, subscribers)
    .map((s) => holdSubscription(context(s).clients.notification, s.account, stats.streams, stopping.signal));
  const work: Promise<void>[] = [];
  if (options.rate === undefined) {
    for (const shopper of shoppers) {
      work.push(
        (async () => {
          // A first think spreads the shoppers' starts.
          await context(shopper).think();
          while (!stopping.signal.aborted) await oneVisit(shopper);
        })().catch(() => undefined),
      );
    }
  } else {
    work.push(arrivals(options.rate, shoppers, oneVisit, stopping.signal, () => dropped++));
  }

  let result: Promise<LoadResult> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stop = (): Promise<LoadResult> => {
    result ??= (async () => {
      if (timer !== undefined) clearTimeout(timer);
      stopping.abort();
      await Promise.all([...work, ...streams]);
      clearInterval(ticker);
      closeAll();
      const durationMs = elapsed();
      return {
        startedAt: startedAt.toISOString(),
        durationMs,
        shoppers: shoppersWanted,
        rate: options.rate,
        visits,
        calls: stats.totals.calls,
        errors: stats.totals.errors,
        declined: stats.totals.declined,
        dropped,
        rps: stats.totals.calls / (durationMs / 1000),
        methods: stats.methods(methodNames),
        steps: stats.steps(stepNames),
        streams: stats.streams.stats(),
        failures: [...stats.failures],
      };
    })();
    return result;
  };
  let settle: (r: LoadResult) => void = () => undefined;
  const done = new Promise<LoadResult>((resolve) => {
    settle = resolve;
  });
  if (options.durationMs !== undefined) timer = setTimeout(() => void stop().then(settle), options.durationMs);
  return {
    accounts,
    progress: () => ({
      elapsedMs: elapsed(),
      activeShoppers: active,
      streamsOpen: stats.streams.openNow,
      calls: stats.totals.calls,
      errors: stats.totals.errors,
      declined: stats.totals.declined,
      dropped,
      window: stats.lastWindow,
    }),
    done,
    stop: () => {
      const ended = stop();
      void ended.then(settle);
      return ended;
    },
  };
}

function shopClients(gateway: string, defaultTimeoutMs: number) {
  const options = { defaultTimeoutMs, channelOptions: { "grpc.use_local_subchannel_pool": 1 } };
  return {
    catalog: createGrpcClient(CatalogService, gateway, options),
    cart: createGrpcClient(CartService, gateway, options),
    order: createGrpcClient(OrderService, gateway, options),
    notification: createGrpcClient(NotificationService, gateway, options),
    user: createGrpcClient(UserService, gateway, options),
  };
}

/** Every product id, and the words of their names to search for. */
async function readCatalog(catalog: ShopClients["catalog"], gateway: string): Promise<KnownCatalog> {
  const productIds: string[] = [];
  const words = new Set<string>();
  let pageToken = "";
  try {
    do {
      const page = await catalog.listProducts({ pageSize: 100, pageToken }, { timeoutMs: 5_000 });
      for (const product of page.products) {
        productIds.push(product.id);
        for (const word of product.name.toLowerCase().split(/[^a-z]+/)) if (word.length >= 4) words.add(word);
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
  } catch (err) {
    throw new LoadSetupError(`the shop is not answering at ${gateway}: ${ConnectError.from(err).message}`);
  }
  if (productIds.length === 0) throw new LoadSetupError(`the shop at ${gateway} has no products to shop for`);
  return { productIds, words: [...words] };
}

function thinkTime(setting: number | { readonly min: number; readonly max: number }): () => number {
  if (typeof setting === "number") return () => setting;
  return () => setting.min + Math.random() * (setting.max - setting.min);
}

/** Starts a visit every 1/rate s on schedule (no drift), on a shopper that is free, until `signal` aborts. */
async function arrivals(
  rate: number,
  shoppers: readonly Shopper[],
  oneVisit: (s: Shopper) => Promise<void>,
  signal: AbortSignal,
  drop: () => void,
): Promise<void> {
  const free = [...shoppers];
  const running = new Set<Promise<void>>();
  const start = performance.now();
  try {
    for (let n = 0; !signal.aborted; n++) {
      const due = start + (n * 1000) / rate - performance.now();
      if (due > 0) await sleep(due, undefined, { signal });
      const shopper = free.shift();
      if (shopper === undefined) {
        drop();
        continue;
      }
      const visiting = oneVisit(shopper)
        .catch(() => undefined)
        .finally(() => {
          free.push(shopper);
          running.delete(visiting);
        });
      running.add(visiting);
    }
  } catch {
    // Aborted: the run is over.
  }
  await Promise.all(running);
}
