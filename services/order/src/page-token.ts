// ListOrders page tokens: the position after the last order of a page (its create time and id),
// bound to the user it was issued to and signed, so a token cannot be forged, edited or used by
// another user. Keyset positions keep later pages stable while new orders arrive.
import { createSignedTokens } from "@shopmesh/kit";

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

export function createPageTokens(key: string | Uint8Array): PageTokens {
  const tokens = createSignedTokens(typeof key === "string" ? Buffer.from(key, "utf8") : key);
  return {
    issue(userId, position) {
      return tokens.seal({ u: userId, t: position.createTime.getTime(), i: position.id });
    },
    read(userId, token) {
      const opened = tokens.open(token);
      if (!opened.ok) return undefined;
      const { u, t, i } = opened.payload;
      if (u !== userId || typeof t !== "number" || !Number.isSafeInteger(t) || typeof i !== "string" || i === "") return undefined;
      return { createTime: new Date(t), id: i };
    },
  };
}
