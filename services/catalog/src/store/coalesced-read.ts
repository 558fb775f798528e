// Many listings in flight each need the catalog's current version, and each must see one read
// after it arrived (a read already under way may predate an UpsertProduct that has returned).
// Sharing reads that way keeps the store at one version read in flight, however many callers.

/**
 * `read`, shared: a call joins the next read to start, never one already under way, so what it
 * gets was read after the call began, as if it had called `read` itself. At most one read runs
 * and one waits to start.
 */
export function coalescedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let queued: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const reading = read();
    running = reading;
    const settled = (): void => {
      if (running === reading) running = undefined;
    };
    reading.then(settled, settled);
    return reading;
  };
  return () => {
    if (running === undefined) return start();
    queued ??= running.then(nothing, nothing).then(() => {
      queued = undefined;
      return start();
    });
    return queued;
  };
}

const nothing = (): void => undefined;
