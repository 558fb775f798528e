// UserStore on MongoDB: one document per account in `users`, with a unique index on the
// normalized email so uniqueness holds under concurrent registrations, also from several user
// processes on FerretDB: an account is only ever inserted and read, never updated, so nothing
// rests on a conditional update (which FerretDB does not apply atomically).
import { MongoServerError } from "mongodb";
import { isDuplicateKey, storeGuard, type MongoStore } from "@shopmesh/stores/mongo";
import { fromProfileDocument, fromUserDocument, toUserDocument, type ProfileDocument, type UserDocument } from "./mappers.js";
import type { UserStore } from "./user-store.js";

export const usersCollection = "users";

/** The store on an open connection; creates its indexes first. */
export async function createMongoUserStore(mongo: MongoStore): Promise<UserStore> {
  const users = mongo.db.collection<UserDocument>(usersCollection);
  await users.createIndex({ email: 1 }, { unique: true, name: "email_unique" });
  return {
    probe: mongo.probe,

    create: (account) =>
      guard(async () => {
        try {
          await users.insertOne(toUserDocument(account));
          return "created";
        } catch (err) {
          if (isDuplicateKey(err)) return "email-taken";
          throw err;
        }
      }),

    findByEmail: (email) =>
      guard(async () => {
        const doc = await users.findOne({ email });
        return doc === null ? undefined : fromUserDocument(doc);
      }),

    findProfile: (id) =>
      guard(async () => {
        // The hash stays in the store: GetMe has no use for it.
        const doc: ProfileDocument | null = await users.findOne({ _id: id }, { projection: { passwordHash: 0 } });
        return doc === null ? undefined : fromProfileDocument(doc);
      }),
  };
}

/**
 * The one place store errors are translated: an outage becomes UNAVAILABLE. Any other error is
 * unexpected (the kit logs it and answers INTERNAL); it is replaced by one that keeps only the
 * driver's message, because driver errors can carry the document, and with it the password hash.
 */
const guard = storeGuard("user store", {
  otherwise: (err) => {
    const code = err instanceof MongoServerError ? ` (code ${String(err.code)})` : "";
    return new Error(`user store operation failed${code}: ${err instanceof Error ? err.message : String(err)}`);
  },
});
