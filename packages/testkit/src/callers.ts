// Who a test's call is made as.
import { identityHeader } from "@shopmesh/kit";

/**
 * Call options that act as `userId` on a service reached directly, as a request that passed the
 * gateway's token check arrives (the gateway puts the verified user id in the identity header).
 */
export function asUser(userId: string): { headers: Record<string, string> } {
  return { headers: { [identityHeader]: userId } };
}
