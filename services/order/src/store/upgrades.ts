// The passes over every order that a start makes once per database, for the orders stored by
// versions from before the open markers and the users' lists. Each is recorded in
// `order_upgrades` once it has finished, so that later starts do not read every order again:
// FerretDB on SQLite answers such a query by reading the whole collection, and the orders only
// grow, so each start would take longer than the one before. An order that a process of such an
// older version stores after the pass (during a rolling upgrade) is not marked or listed; removing
// the record has the next start pass again.
import type { Collection, Db } from "mongodb";
import { isDuplicateKey } from "@shopmesh/stores/mongo";

export type Upgrade = "open-markers" | "user-lists";

interface UpgradeDone {
  _id: Upgrade;
  at: Date;
}

export interface Upgrades {
  /** Runs `pass` unless a start recorded it done, and records it done once it resolved. */
  once(name: Upgrade, pass: () => Promise<void>): Promise<void>;
}

export function createUpgrades(db: Db): Upgrades {
  const done: Collection<UpgradeDone> = db.collection<UpgradeDone>("order_upgrades");
  return {
    async once(name, pass) {
      if ((await done.findOne({ _id: name })) !== null) return;
      await pass();
      try {
        await done.insertOne({ _id: name, at: new Date() });
      } catch (err) {
        // Another process starting at once passed too.
        if (!isDuplicateKey(err)) throw err;
      }
    },
  };
}
