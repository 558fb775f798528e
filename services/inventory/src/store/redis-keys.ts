// Where the inventory keeps its data in Redis; the Lua scripts use the same names.
export const stockPrefix = "inv:stock:";
export const reservationPrefix = "inv:res:";
export const expiryKey = "inv:expiry";

export const stockKey = (sku: string): string => `${stockPrefix}${sku}`;
export const reservationKey = (orderId: string): string => `${reservationPrefix}${orderId}`;
export const appliedEventKey = (eventId: string): string => `inv:event:${eventId}`;
