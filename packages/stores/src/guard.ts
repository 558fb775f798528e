// The wrapper every store puts around its operations, so that a store outage reaches the client
// as UNAVAILABLE from one place per store, and everything else stays unexpected (INTERNAL).
import { storeError } from "./errors.js";

export interface StoreGuardOptions {
  /** What an error other than an outage becomes (e.g. one stripped of data it must not leak). */
  readonly otherwise?: (err: unknown) => unknown;
}

/** Runs a store operation; an outage of `store` ("cart store") becomes UNAVAILABLE. */
export type StoreGuard = <T>(operation: () => Promise<T>) => Promise<T>;

export function storeGuard(store: string, options: StoreGuardOptions = {}): StoreGuard {
  const otherwise = options.otherwise ?? ((err: unknown) => err);
  return async (operation) => {
    try {
      return await operation();
    } catch (err) {
      const translated = storeError(err, store);
      throw translated === err ? otherwise(err) : translated;
    }
  };
}
