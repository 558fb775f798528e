// ListOrders page tokens: the place in the user's list (store/user-orders.ts) of the last order of
// a page, bound to the user it was issued to and signed, so a token cannot be forged, edited or
// used by another user. Places keep later pages stable while new orders arrive. A token of the
// earlier form (a create time and an id) reads as malformed: its holder starts again from the top.
import { createSignedTokens } from "@shopmesh/kit";

/** Where the next page starts: the orders listed below this place, newest first. */
export interface PagePosition {
  readonly place: number;
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
      return tokens.seal({ u: userId, p: position.place });
    },
    read(userId, token) {
      const opened = tokens.open(token);
      if (!opened.ok) return undefined;
      const { u, p } = opened.payload;
      if (u !== userId || typeof p !== "number" || !Number.isSafeInteger(p) || p < 1) return undefined;
      return { place: p };
    },
  };
}
