// The wrapper every store puts around its operations, so that a store outage reaches the client
// as UNAVAILABLE from one place per store, and everything else stays unexpected (INTERNAL). Each
// backend's entry point (./mongo.js, ./redis.js) binds it to what an outage of that driver is, so
// a service loads only the driver it uses.
import { Code, ConnectError } from "@connectrpc/connect";

export interface StoreGuardOptions {
  /** What an error other than an outage becomes (e.g. one stripped of data it must not leak). */
  readonly otherwise?: (err: unknown) => unknown;
}

/** Runs a store operation; an outage of `store` ("cart store") becomes UNAVAILABLE. */
export type StoreGuard = <T>(operation: () => Promise<T>) => Promise<T>;

export interface Guarding {
  /** UNAVAILABLE for a store outage (the client may retry), the error itself otherwise. */
  storeError(err: unknown, store: string): unknown;
  storeGuard(store: string, options?: StoreGuardOptions): StoreGuard;
}

/** The guard for a driver whose outages `isUnreachable` recognises (as opposed to a bad query). */
export function guarding(isUnreachable: (err: unknown) => boolean): Guarding {
  // The kit turns the unexpected errors left as they are into INTERNAL and logs them.
  const storeError = (err: unknown, store: string): unknown =>
    isUnreachable(err) ? new ConnectError(`${store} is unavailable; try again shortly`, Code.Unavailable, undefined, undefined, err) : err;
  return {
    storeError,
    storeGuard(store, options = {}) {
      const otherwise = options.otherwise ?? ((err: unknown) => err);
      return async (operation) => {
        try {
          return await operation();
        } catch (err) {
          const translated = storeError(err, store);
          throw translated === err ? otherwise(err) : translated;
        }
      };
    },
  };
}
