// Explicit mapping between stored documents, the service's account types and protobuf messages.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { UserSchema } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import type { UserAccount, UserProfile } from "./user-store.js";

/** One account in the `users` collection. */
export interface UserDocument {
  readonly _id: string;
  /** Normalized (trimmed, lowercased); a unique index makes it the account's login name. */
  readonly email: string;
  readonly displayName: string;
  /** scrypt PHC string; the password itself is never stored. */
  readonly passwordHash: string;
  readonly createTime: Date;
}

export type ProfileDocument = Omit<UserDocument, "passwordHash">;

export function toUserDocument(account: UserAccount): UserDocument {
  return {
    _id: account.id,
    email: account.email,
    displayName: account.displayName,
    passwordHash: account.passwordHash,
    createTime: account.createTime,
  };
}

export function fromUserDocument(doc: UserDocument): UserAccount {
  return { ...fromProfileDocument(doc), passwordHash: doc.passwordHash };
}

export function fromProfileDocument(doc: ProfileDocument): UserProfile {
  return { id: doc._id, email: doc.email, displayName: doc.displayName, createTime: doc.createTime };
}

/** The User message; it never carries the password hash, whatever the argument holds. */
export function toUserMessage(profile: UserProfile): MessageInitShape<typeof UserSchema> {
  return {
    id: profile.id,
    email: profile.email,
    displayName: profile.displayName,
    createTime: timestampFromDate(profile.createTime),
  };
}
