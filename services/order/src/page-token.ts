// ListOrders page tokens: the position after the last order of a page (its create time and id),
// bound to the user it was issued to and signed, so a token cannot be forged, edited or used by
// another user. Keyset positions keep later pages stable while new orders arrive.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Where the next page starts: orders strictly older than this one, newest first. */
export interface PagePosition {
  readonly createTime: Date;
  readonly id: string;
}

export interface PageTokens {
  issue(userId: string, position: PagePosition): string;
  /** The position `token` names, or undefined if it is malformed, tampered with or another user's. */
  read(userId: string, token: string): PagePosition | undefined;
}

const macBytes = 16;

export function createPageTokens(secret: string | Buffer): PageTokens {
  const mac = (payload: string): Buffer => createHmac("sha256", secret).update(payload).digest().subarray(0, macBytes);
  return {
    issue(userId, position) {
      const payload = Buffer.from(JSON.stringify({ u: userId, t: position.createTime.getTime(), i: position.id })).toString("base64url");
      return `${payload}.${mac(payload).toString("base64url")}`;
    },
    read(userId, token) {
      const parts = token.split(".");
      if (parts.length !== 2) return undefined;
      const [payload = "", signature = ""] = parts;
      const given = Buffer.from(signature, "base64url");
      if (given.length !== macBytes || !timingSafeEqual(given, mac(payload))) return undefined;
      let decoded: unknown;
      try {
        decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      } catch {
        return undefined;
      }
      if (typeof decoded !== "object" || decoded === null) return undefined;
      const { u, t, i } = decoded as Record<string, unknown>;
      if (u !== userId || typeof t !== "number" || !Number.isSafeInteger(t) || typeof i !== "string" || i === "") return undefined;
      return { createTime: new Date(t), id: i };
    },
  };
}
