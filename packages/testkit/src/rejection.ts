import { ConnectError } from "@connectrpc/connect";

/** The ConnectError `promise` rejects with; fails the test when it resolves or fails otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ConnectError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}
