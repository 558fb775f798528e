// What the user service keeps about an account, and the store that keeps it.
import type { Probe } from "@shopmesh/kit";

/** An account as GetMe shows it: everything but the password hash. */
export interface UserProfile {
  /** Opaque, at most 64 characters. */
  readonly id: string;
  /** Trimmed and lowercased; unique across accounts. */
  readonly email: string;
  readonly displayName: string;
  readonly createTime: Date;
}

/** An account with the scrypt hash of its password (see passwords.ts), for Login. */
export interface UserAccount extends UserProfile {
  readonly passwordHash: string;
}

export interface UserStore {
  /** Checks that the store answers; health is NOT_SERVING while it fails. */
  readonly probe: Probe;
  /**
   * Adds an account, unless another one has the same email: emails are unique in the store
   * itself, so of two concurrent registrations of one email exactly one is "created".
   */
  create(account: UserAccount): Promise<"created" | "email-taken">;
  /** The account with this (normalized) email, hash included. */
  findByEmail(email: string): Promise<UserAccount | undefined>;
  /** The profile of the account with this id. */
  findProfile(id: string): Promise<UserProfile | undefined>;
}
