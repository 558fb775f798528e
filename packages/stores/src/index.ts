export { connectMongo, redact } from "./mongo.js";
export type { MongoStore, MongoOptions } from "./mongo.js";
export { connectRedis } from "./redis.js";
export type { RedisStore, RedisClient } from "./redis.js";
export { isDuplicateKey, isDuplicateKeyCode, isStoreUnreachable, storeError } from "./errors.js";
export { storeGuard } from "./guard.js";
export type { StoreGuard, StoreGuardOptions } from "./guard.js";
