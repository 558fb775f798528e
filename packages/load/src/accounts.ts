// Who the virtual shoppers are. The gateway lets Register and Login through at one a second (burst
// 10), so a few shoppers sign up and log in for real and the rest carry tokens minted here with the
// shop's own signing key for user ids of their own: the gateway verifies them like any other, and
// no service looks a user up in the user service (carts, orders and notifications are keyed by the
// caller's id alone). A development tool on the shop's own machine, reading the key `make keys` wrote.
import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import type { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import type { GrpcClient } from "@shopmesh/kit";
import { readSigningKeyFile } from "@shopmesh/user/keys";
import { createTokenIssuer } from "@shopmesh/user/tokens";

/** The token settings the gateway checks (deploy/topology.yaml, gateway.jwt) and the private key. */
export interface TokenSettings {
  /** The user service's PKCS#8 PEM key (`.run/keys/jwt-es256.pem` for `make up`). */
  readonly signingKeyFile: string;
  readonly issuer: string;
  readonly audience: string;
}

export interface Account {
  readonly userId: string;
  /** Whether it went through Register and Login (the others' tokens were minted). */
  readonly registered: boolean;
  /** Headers that act as this shopper at the gateway (a bearer token), current at the time of the call. */
  headers(): Promise<Record<string, string>>;
}

const password = "correct horse battery";
/** A minted token outlives any run; a registered shopper logs in again a minute before its token expires. */
const mintedTtlSeconds = 7 * 24 * 3600;
const renewBeforeMs = 60_000;

/** `count` accounts, the first `registered` of them signed up through the gateway. */
export async function createAccounts(
  users: GrpcClient<typeof UserService>,
  options: { count: number; registered: number; runId: string; tokens: TokenSettings; signal: AbortSignal },
): Promise<Account[]> {
  const key = await readSigningKeyFile(options.tokens.signingKeyFile);
  const issuer = createTokenIssuer({ key, issuer: options.tokens.issuer, audience: options.tokens.audience, ttlSeconds: mintedTtlSeconds });
  const accounts: Account[] = [];
  for (let i = 0; i < options.count; i++) {
    if (i < options.registered) {
      accounts.push(await registeredAccount(users, `load-${options.runId}-${i}@example.com`, `Shopper ${i}`, options.signal));
    } else {
      const userId = `load-${options.runId}-${i}`;
      const { token } = await issuer.issue(userId, Date.now());
      const headers = { authorization: `Bearer ${token}` };
      accounts.push({ userId, registered: false, headers: async () => headers });
    }
  }
  return accounts;
}

async function registeredAccount(
  users: GrpcClient<typeof UserService>,
  email: string,
  displayName: string,
  signal: AbortSignal,
): Promise<Account> {
  const { user } = await rateLimited(() => users.register({ email, password, displayName }), signal);
  const login = async (): Promise<{ headers: Record<string, string>; renewAtMs: number }> => {
    const { accessToken, expireTime } = await rateLimited(() => users.login({ email, password }), signal);
    const expiresMs = expireTime === undefined ? Number.POSITIVE_INFINITY : Number(expireTime.seconds) * 1000;
    return { headers: { authorization: `Bearer ${accessToken}` }, renewAtMs: expiresMs - renewBeforeMs };
  };
  let session = await login();
  return {
    userId: user?.id ?? "",
    registered: true,
    async headers() {
      if (Date.now() >= session.renewAtMs) session = await login();
      return session.headers;
    },
  };
}

/** Waits out the gateway's token bucket (RESOURCE_EXHAUSTED) for Register and Login, a few times. */
async function rateLimited<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 20 || ConnectError.from(err).code !== Code.ResourceExhausted) throw err;
      await sleep(1_100, undefined, { signal });
    }
  }
}
