// UserService handlers: validate, hash or verify the password, call the store, issue tokens.
// Passwords and their hashes appear in no error, message or log line.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { UserService } from "@shopmesh/gen/shop/user/v1/user_pb.js";
import { requireCaller, Violations, type Clock } from "@shopmesh/kit";
import { decoyPasswordHash, hashPassword, verifyPassword, type ScryptParams } from "./passwords.js";
import { toUserMessage } from "./store/mappers.js";
import type { UserStore } from "./store/user-store.js";
import type { TokenIssuer } from "./tokens.js";
import { checkDisplayName, checkEmail, checkNewPassword, checkPresent, normalizeEmail } from "./validation.js";

export interface UserServiceDeps {
  readonly store: UserStore;
  readonly tokens: TokenIssuer;
  /** Epoch milliseconds: account create times and token lifetimes. */
  readonly clock: Clock;
  /** A new, unique, opaque user id (at most 64 characters). */
  readonly newUserId: () => string;
  /** Cost of new password hashes; stored hashes keep the parameters they were made with. */
  readonly scryptParams?: ScryptParams;
}

/** The one message for both an unknown email and a wrong password (contract). */
export const wrongCredentialsMessage = "wrong email or password";

export function createUserService(deps: UserServiceDeps): ServiceImpl<typeof UserService> {
  const { store, tokens, clock } = deps;
  const decoyHash = decoyPasswordHash(deps.scryptParams);

  return {
    async register(req) {
      const v = new Violations();
      const email = checkEmail(v, "email", req.email);
      checkNewPassword(v, "password", req.password);
      const displayName = checkDisplayName(v, "display_name", req.displayName);
      v.throwIfAny();
      const account = {
        id: deps.newUserId(),
        email,
        displayName,
        passwordHash: await hashPassword(req.password, deps.scryptParams),
        createTime: new Date(clock()),
      };
      if ((await store.create(account)) === "email-taken") {
        throw new ConnectError(`an account with email ${email} already exists`, Code.AlreadyExists);
      }
      return { user: toUserMessage(account) };
    },

    async login(req) {
      const email = normalizeEmail(req.email);
      const v = new Violations();
      checkPresent(v, "email", email);
      checkPresent(v, "password", req.password);
      v.throwIfAny();
      const account = await store.findByEmail(email);
      // An unknown email still costs one scrypt, so the answer's timing does not tell which
      // accounts exist.
      const matches = await verifyPassword(req.password, account?.passwordHash ?? decoyHash);
      if (account === undefined || !matches) {
        throw new ConnectError(wrongCredentialsMessage, Code.Unauthenticated);
      }
      const issued = await tokens.issue(account.id, clock());
      return {
        accessToken: issued.token,
        expireTime: timestampFromDate(issued.expireTime),
        user: toUserMessage(account),
      };
    },

    async getMe(_req, ctx) {
      const { userId } = requireCaller(ctx);
      const profile = await store.findProfile(userId);
      if (profile === undefined) throw new ConnectError(`user ${userId} not found`, Code.NotFound);
      return { user: toUserMessage(profile) };
    },
  };
}
