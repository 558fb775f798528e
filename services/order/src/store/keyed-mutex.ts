// Runs async critical sections one at a time per key, in call order.
//
// Why the order store needs it: FerretDB 1.24 on SQLite (the shop's MongoDB) applies an update
// as "find the matching documents, then write each back whole by _id", with nothing in between
// held. Two concurrent conditional updates of one document can both match, and the later write
// silently undoes the earlier one (measured: 200 of 200 racing findOneAndUpdate pairs with the
// same filter both succeeded). Serializing every write of an order within the process restores
// compare-and-set semantics for one order service process; MongoDB itself would not need it.
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(section, section);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await current;
    } finally {
      // The last one out removes the key, so the map does not grow with every order ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
