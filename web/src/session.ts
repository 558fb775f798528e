// The signed-in shopper, kept in sessionStorage: it survives reloads but not closing the tab, and
// no other tab or site sees the token.
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { LoginResponse } from "@shopmesh/gen/shop/user/v1/user_pb.js";

export interface Session {
  readonly accessToken: string;
  /** When the token expires, in ms since the epoch. */
  readonly expiresAt: number;
  readonly user: { readonly id: string; readonly email: string; readonly displayName: string };
}

export interface SessionStore {
  load(): Session | undefined;
  save(session: Session): void;
  clear(): void;
}

const key = "shopmesh.session";

export function sessionStore(storage: Storage): SessionStore {
  return {
    load() {
      const raw = storage.getItem(key);
      if (raw === null) return undefined;
      const session = parseSession(raw);
      if (session === undefined) storage.removeItem(key);
      return session;
    },
    save(session) {
      storage.setItem(key, JSON.stringify(session));
    },
    clear() {
      storage.removeItem(key);
    },
  };
}

export function sessionFromLogin(res: LoginResponse): Session {
  return {
    accessToken: res.accessToken,
    expiresAt: res.expireTime === undefined ? 0 : timestampMs(res.expireTime),
    user: { id: res.user?.id ?? "", email: res.user?.email ?? "", displayName: res.user?.displayName ?? "" },
  };
}

export function isExpired(session: Session, now = Date.now()): boolean {
  return session.expiresAt <= now;
}

/** A stored session, or undefined if the stored text is not one (edited, or from an older page). */
function parseSession(raw: string): Session | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return undefined;
    const { accessToken, expiresAt, user } = value as Record<string, unknown>;
    if (typeof accessToken !== "string" || typeof expiresAt !== "number") return undefined;
    if (typeof user !== "object" || user === null) return undefined;
    const { id, email, displayName } = user as Record<string, unknown>;
    if (typeof id !== "string" || typeof email !== "string" || typeof displayName !== "string") return undefined;
    return { accessToken, expiresAt, user: { id, email, displayName } };
  } catch {
    return undefined;
  }
}
