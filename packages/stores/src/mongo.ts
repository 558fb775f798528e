// `@shopmesh/stores/mongo`: a MongoDB (or FerretDB) connection, and the store guard for its driver.
import {
  MongoClient,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type Db,
} from "mongodb";
import type { Logger, Probe } from "@shopmesh/kit";
import { guarding } from "./guard.js";
import { redact } from "./redact.js";

export type { StoreGuard, StoreGuardOptions } from "./guard.js";

export interface MongoStore {
  readonly client: MongoClient;
  readonly db: Db;
  /** Pings the server; for the kit's health checks. */
  readonly probe: Probe;
  close(): Promise<void>;
}

export interface MongoOptions {
  /** How long start waits for the server before giving up (it may still be starting). */
  readonly startTimeoutMs?: number;
  /** How long an operation waits for a reachable server before failing (then: UNAVAILABLE). */
  readonly serverSelectionTimeoutMs?: number;
  /**
   * How long an operation waits for a server that took it and answers nothing (a hung server)
   * before failing (then: UNAVAILABLE): 30 s by default, far above a healthy store's slowest
   * round trip (FerretDB reading every order at start: about 0.4 s at 3,000 orders) and the
   * callers' route timeouts (10 s at most), which answer the call long before.
   */
  readonly socketTimeoutMs?: number;
}

/**
 * Connects to MongoDB (or a MongoDB-protocol server such as FerretDB) and waits until it answers.
 * After start, an outage fails operations fast and the probe turns health NOT_SERVING; the
 * driver reconnects by itself when the server returns.
 */
export async function connectMongo(url: string, dbName: string, logger: Logger, options: MongoOptions = {}): Promise<MongoStore> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 2_000,
    connectTimeoutMS: 2_000,
    socketTimeoutMS: options.socketTimeoutMs ?? 30_000,
    appName: `shopmesh-${dbName}`,
  });
  const db = client.db(dbName);
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    try {
      await db.command({ ping: 1 });
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await client.close();
        throw new Error(`MongoDB at ${redact(url)} did not answer: ${err instanceof Error ? err.message : String(err)}`);
      }
      logger.warn({ url: redact(url) }, "waiting for MongoDB");
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return {
    client,
    db,
    probe: { name: "mongodb", check: async () => void (await db.command({ ping: 1 })) },
    close: () => client.close(),
  };
}

/** True for errors that mean "the store cannot be reached", as opposed to a bad query. */
export function isStoreUnreachable(err: unknown): boolean {
  return (
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNetworkError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError
  );
}

export const { storeError, storeGuard } = guarding(isStoreUnreachable);

/** A write refused by a unique index (E11000). */
export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && isDuplicateKeyCode(err.code, err.message);
}

/** The same for a code and message of a bulk write's error. */
export function isDuplicateKeyCode(code: unknown, message: string): boolean {
  // FerretDB 1.24 on SQLite answers an update that breaks a unique index with InternalError (1)
  // and SQLite's message instead of DuplicateKey (11000).
  return code === 11000 || (code === 1 && message.includes("UNIQUE constraint failed"));
}
