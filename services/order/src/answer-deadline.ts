// When PlaceOrder answers at the latest: before the gateway gives up on it (a configured bound
// below the route timeout) and before the caller's own deadline (its grpc-timeout), with some
// time left for the answer to travel back. An answer that arrives too late is UNAVAILABLE or
// DEADLINE_EXCEEDED to the client while the order goes on, which is worse than a non-final order.

/** At most this much of the caller's remaining time is kept for the answer's way back. */
export const maxAnswerMarginMs = 500;
/** The share of the caller's remaining time kept for the way back, when that is less. */
export const answerMarginShare = 0.1;

/** Epoch milliseconds by which to answer a call that arrived at `nowMs`. */
export function answerDeadline(nowMs: number, callerDeadlineMs: number | undefined, replyMs: number): number {
  const bound = nowMs + replyMs;
  if (callerDeadlineMs === undefined) return bound;
  const margin = Math.min(maxAnswerMarginMs, Math.max(0, callerDeadlineMs - nowMs) * answerMarginShare);
  return Math.min(bound, callerDeadlineMs - margin);
}
