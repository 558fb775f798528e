// The one place that knows how a caller's identity reaches a service: the edge gateway verifies
// the JWT and sets this header (after removing any copy a client sent); services never parse
// tokens themselves.
import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";

export const identityHeader = "x-shop-user-id";
export const requestIdHeader = "x-request-id";

export interface Caller {
  readonly userId: string;
}

export const callerKey = createContextKey<Caller | undefined>(undefined, { description: "caller" });
export const requestIdKey = createContextKey<string>("", { description: "request id" });

// User ids are opaque, but a header that is empty, huge or full of odd characters is not one.
const userIdPattern = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The caller named by the identity header, or undefined when there is none (or it is malformed). */
export function callerFromHeaders(headers: Headers): Caller | undefined {
  const userId = headers.get(identityHeader);
  if (userId === null || !userIdPattern.test(userId)) return undefined;
  return { userId };
}

/** The caller of this RPC; UNAUTHENTICATED when the request carries no identity. */
export function requireCaller(ctx: HandlerContext): Caller {
  const caller = ctx.values.get(callerKey);
  if (caller === undefined) {
    throw new ConnectError("this call needs a signed-in user (no identity on the request)", Code.Unauthenticated);
  }
  return caller;
}

/**
 * Headers to pass on a downstream call made while serving `ctx`: the request id (so logs across
 * services line up) and the caller's identity (so the callee acts for the same user).
 */
export function forwardHeaders(ctx: HandlerContext): Headers {
  const headers = new Headers();
  const requestId = ctx.values.get(requestIdKey);
  if (requestId !== "") headers.set(requestIdHeader, requestId);
  const caller = ctx.values.get(callerKey);
  if (caller !== undefined) headers.set(identityHeader, caller.userId);
  return headers;
}
