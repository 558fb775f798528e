// Builds the user service from its config: the signing key, MongoDB, the gRPC server.
import { randomUUID } from "node:crypto";
import { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { ConfigError, createShopServer, register, type Logger, type ShopServer } from "@shopmesh/kit";
import { connectMongo } from "@shopmesh/stores";
import type { UserConfig } from "./config.js";
import { KeyFileError, readSigningKeyFile, type SigningKey } from "./keys.js";
import { createUserService } from "./service.js";
import { createMongoUserStore } from "./store/mongo-user-store.js";
import { createTokenIssuer } from "./tokens.js";

export interface UserApp {
  readonly server: ShopServer;
  /** The key Login signs with (its kid is in every token's header). */
  readonly signingKey: SigningKey;
  /** Stops serving, then closes MongoDB. */
  stop(): Promise<void>;
}

export interface UserOptions {
  /** Epoch milliseconds; Date.now unless a test needs another clock. */
  readonly clock?: () => number;
}

export async function startUser(config: UserConfig, logger: Logger, options: UserOptions = {}): Promise<UserApp> {
  // The key first: without it the service cannot do its job, so it should not even connect.
  const signingKey = await loadSigningKey(config.jwt.privateKeyFile);
  logger.info({ kid: signingKey.kid }, "token signing key loaded");
  const mongo = await connectMongo(config.mongoUrl, config.mongoDb, logger);
  try {
    const store = await createMongoUserStore(mongo);
    const service = createUserService({
      store,
      tokens: createTokenIssuer({
        key: signingKey,
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        ttlSeconds: config.jwt.ttlSeconds,
      }),
      clock: options.clock ?? Date.now,
      newUserId: randomUUID,
    });
    const server = createShopServer({
      name: "user",
      logger,
      host: config.server.host,
      port: config.server.port,
      services: [register(UserService, service)],
      probes: [store.probe],
      probeIntervalMs: config.probeIntervalMs,
      shutdownGraceMs: config.server.shutdownGraceMs,
    });
    await server.start();
    return {
      server,
      signingKey,
      async stop() {
        await server.stop();
        await mongo.close();
      },
    };
  } catch (err) {
    await mongo.close();
    throw err;
  }
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
