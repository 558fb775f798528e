import { Code, ConnectError } from "@connectrpc/connect";
import { MongoNetworkError, MongoNotConnectedError, MongoServerError, MongoServerSelectionError, MongoTopologyClosedError } from "mongodb";
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from "@redis/client";

/** True for errors that mean "the store cannot be reached", as opposed to a bad query. */
export function isStoreUnreachable(err: unknown): boolean {
  return (
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNetworkError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof ClientOfflineError ||
    err instanceof ClientClosedError ||
    err instanceof SocketClosedUnexpectedlyError ||
    err instanceof ConnectionTimeoutError ||
    err instanceof SocketTimeoutError
  );
}

/**
 * UNAVAILABLE for a store outage (the client may retry), the error itself otherwise (the kit
 * turns unexpected errors into INTERNAL and logs them).
 */
export function storeError(err: unknown, store: string): unknown {
  if (isStoreUnreachable(err)) {
    return new ConnectError(`${store} is unavailable; try again shortly`, Code.Unavailable, undefined, undefined, err);
  }
  return err;
}

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
