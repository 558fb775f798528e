// Access tokens: ES256 JWTs that the edge gateway verifies with the published JWKS and turns
// into the x-shop-user-id header.
import { SignJWT } from "jose";
import { signingAlgorithm, type SigningKey } from "./keys.js";

export interface TokenSettings {
  readonly key: SigningKey;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

export interface IssuedToken {
  readonly token: string;
  /** The `exp` claim, as a Date (whole seconds). */
  readonly expireTime: Date;
}

export interface TokenIssuer {
  /** A token for `userId` issued at `nowMs` (epoch milliseconds). */
  issue(userId: string, nowMs: number): Promise<IssuedToken>;
}

export function createTokenIssuer(settings: TokenSettings): TokenIssuer {
  const { key, issuer, audience, ttlSeconds } = settings;
  return {
    async issue(userId, nowMs) {
      const issuedAt = Math.floor(nowMs / 1000);
      const expiresAt = issuedAt + ttlSeconds;
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: signingAlgorithm, kid: key.kid, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(key.privateKey);
      return { token, expireTime: new Date(expiresAt * 1000) };
    },
  };
}
