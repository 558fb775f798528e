// What the user service is made of: the token signing key and its MongoDB store. main.ts and
// the tests start it the same way.
import { randomUUID } from "node:crypto";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { ConfigError, register, startService, type Clock, type Logger, type RunningService } from "@shopmesh/kit";
import { connectMongo } from "@shopmesh/stores/mongo";
import type { UserConfig } from "./config.js";
import { KeyFileError, readSigningKeyFile, type SigningKey } from "./keys.js";
import { createUserService } from "./service.js";
import { createMongoUserStore } from "./store/mongo-user-store.js";
import { createTokenIssuer } from "./tokens.js";

export interface UserApp extends RunningService {
  /** The key Login signs with (its kid is in every token's header). */
  readonly signingKey: SigningKey;
}

export interface UserOptions {
  readonly clock?: Clock;
}

export async function startUser(config: UserConfig, logger: Logger, options: UserOptions = {}): Promise<UserApp> {
  // The key first: without it the service cannot do its job, so it should not even connect.
  const signingKey = await loadSigningKey(config.jwt.privateKeyFile);
  logger.info({ kid: signingKey.kid }, "token signing key loaded");
  const running = await startService("user", config.server, logger, async (resources) => {
    const store = await createMongoUserStore(resources.own("mongodb", await connectMongo(config.mongo.url, config.mongo.db, logger)));
    const { issuer, audience, ttlSeconds } = config.jwt;
    const service = createUserService({
      store,
      tokens: createTokenIssuer({ key: signingKey, issuer, audience, ttlSeconds }),
      clock: options.clock ?? Date.now,
      newUserId: randomUUID,
    });
    return { services: [register(UserService, service)], probes: [store.probe] };
  });
  return { ...running, signingKey };
}

/** The key file, or a config error naming JWT_PRIVATE_KEY_FILE: the process cannot start without it. */
async function loadSigningKey(path: string): Promise<SigningKey> {
  try {
    return await readSigningKeyFile(path);
  } catch (err) {
    if (!(err instanceof KeyFileError)) throw err;
    throw new ConfigError(
      `config: JWT_PRIVATE_KEY_FILE must name a readable PEM file with a PKCS#8 EC P-256 private key (${err.message}); ` +
        "create one with: node services/user/dist/src/keygen.js <dir>",
    );
  }
}
