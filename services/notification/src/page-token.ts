// ListNotifications page tokens: the position to continue from, bound to the user it was
// issued to and signed, so a client can neither forge a position nor page another user's list.
//
//   token = base64url(JSON { u: userId, c: cursor }) "." base64url(HMAC-SHA256(key, payload))
import { createHmac, timingSafeEqual } from "node:crypto";

export type PageTokenReading =
  | { readonly ok: true; readonly cursor: string }
  | { readonly ok: false; readonly problem: string };

export interface PageTokens {
  /** A token for the page after `cursor` (the last id of the page just returned). */
  issue(userId: string, cursor: string): string;
  /** The cursor of a token `userId` received, or what is wrong with it. */
  read(token: string, userId: string): PageTokenReading;
}

const base64url = /^[A-Za-z0-9_-]+$/;

/** `isCursor` rejects a signed payload whose cursor this version cannot use. */
export function createPageTokens(key: Uint8Array, isCursor: (cursor: string) => boolean): PageTokens {
  const sign = (payload: string): Buffer => createHmac("sha256", key).update(payload).digest();

  return {
    issue(userId, cursor) {
      const payload = Buffer.from(JSON.stringify({ u: userId, c: cursor })).toString("base64url");
      return `${payload}.${sign(payload).toString("base64url")}`;
    },

    read(token, userId) {
      const malformed = { ok: false, problem: "is malformed; pass next_page_token from a previous response" } as const;
      const [payload, signature, ...rest] = token.split(".");
      if (payload === undefined || signature === undefined || rest.length > 0) return malformed;
      if (!base64url.test(payload) || !base64url.test(signature)) return malformed;
      const expected = sign(payload);
      const given = Buffer.from(signature, "base64url");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, problem: "was not issued by this service or was changed" };
      }
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        return malformed;
      }
      if (typeof decoded !== "object" || decoded === null) return malformed;
      const { u, c } = decoded as { u?: unknown; c?: unknown };
      if (typeof u !== "string" || typeof c !== "string" || !isCursor(c)) return malformed;
      if (u !== userId) return { ok: false, problem: "was issued to another user" };
      return { ok: true, cursor: c };
    },
  };
}
