import { Code, ConnectError } from "@connectrpc/connect";
import { MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError, MongoTopologyClosedError } from "mongodb";
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
