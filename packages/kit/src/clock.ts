/** Epoch milliseconds, injected wherever time matters so tests can fix it; `Date.now` in production. */
export type Clock = () => number;
