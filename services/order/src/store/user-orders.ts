// Each user's orders in the order they were recorded, found by `_id` alone: FerretDB on SQLite
// answers a query on any other field by reading the whole collection, which made ListOrders cost
// more with every order placed (at a few thousand orders it missed its deadline).
//
// An order takes the next free place of its user's list before its `orders` document is stored:
// `order_by_user` entries are keyed (user, place), places 1, 2, … and only one writer gets each,
// as with the order log. Entries are never removed, so the taken places have no gaps. The order's
// document records the place it took (`listed`), so an entry counts only while the order it names
// is stored and names it back: an entry left by a crash before the insert, or by an insert that
// found the request's order already there, lists nothing. `order_by_user_top` keeps a place per
// user known to be taken: a hint, possibly behind (two writers racing on it may leave the lower),
// which a writer or reader walks up from until the next place is free.
import type { Collection, Db } from "mongodb";
import { isDuplicateKey } from "@shopmesh/stores/mongo";

interface ListEntry {
  /** placeId(userId, place). */
  _id: string;
  userId: string;
  place: number;
  orderId: string;
}

interface ListTop {
  /** The user id. */
  _id: string;
  place: number;
}

/** An entry of a user's list: the order at a place. */
export interface ListedAt {
  readonly place: number;
  readonly orderId: string;
}

export interface UserOrders {
  /** Gives `orderId` the next free place of `userId`'s list, and returns it. */
  claim(userId: string, orderId: string): Promise<number>;
  /**
   * The entries of `count` places of `userId`'s list below place `before` (from the top if
   * undefined), highest first, and the lowest place read: the `before` of the next call (1 or
   * less: the list is read to its end).
   */
  below(userId: string, before: number | undefined, count: number): Promise<{ entries: ListedAt[]; lowest: number }>;
}

/** Each lost race means another writer took the place; this many in a row means something is wrong. */
const maxAttempts = 50;

/** The key of `userId`'s place `place`: a user id holds no NUL. */
function placeId(userId: string, place: number): string {
  return `${userId}\u0000${place}`;
}

export function createUserOrders(db: Db): UserOrders {
  const entries: Collection<ListEntry> = db.collection<ListEntry>("order_by_user");
  const tops: Collection<ListTop> = db.collection<ListTop>("order_by_user_top");

  const taken = async (userId: string, place: number): Promise<boolean> =>
    (await entries.findOne({ _id: placeId(userId, place) }, { projection: { _id: 1 } })) !== null;

  /** The highest place taken in `userId`'s list (0: none). */
  const top = async (userId: string): Promise<number> => {
    let place = (await tops.findOne({ _id: userId }))?.place ?? 0;
    while (await taken(userId, place + 1)) place++;
    return place;
  };

  const raiseTop = async (userId: string, place: number): Promise<void> => {
    try {
      await tops.updateOne({ _id: userId }, { $max: { place } }, { upsert: true });
    } catch (err) {
      // Two first orders of one user upserting at once: the other one's top stands, and readers walk up.
      if (!isDuplicateKey(err)) throw err;
    }
  };

  return {
    async claim(userId, orderId) {
      const hint = (await tops.findOne({ _id: userId }))?.place ?? 0;
      for (let place = hint + 1; place <= hint + maxAttempts; place++) {
        try {
          await entries.insertOne({ _id: placeId(userId, place), userId, place, orderId });
        } catch (err) {
          if (isDuplicateKey(err)) continue;
          throw err;
        }
        await raiseTop(userId, place);
        return place;
      }
      throw new Error(`the list of user ${userId}: ${maxAttempts} places in a row above ${hint} were taken`);
    },

    async below(userId, before, count) {
      const from = before === undefined ? await top(userId) : before - 1;
      const places = Array.from({ length: Math.max(0, Math.min(count, from)) }, (_, i) => from - i);
      const found = await Promise.all(places.map((place) => entries.findOne({ _id: placeId(userId, place) })));
      // A place below a taken one is free only while its writer's insert is on its way: it lists nothing yet.
      return {
        entries: found.filter((entry) => entry !== null).map((entry) => ({ place: entry.place, orderId: entry.orderId })),
        lowest: from + 1 - places.length,
      };
    },
  };
}
