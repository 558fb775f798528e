// Redis stream entry ids ("<milliseconds>-<sequence>"), which are the notification ids and
// Subscribe cursors. Clients treat them as opaque; the service parses them to check and compare.

/** Both parts are unsigned 64-bit integers in Redis. */
const streamIdPattern = /^(\d{1,20})-(\d{1,20})$/;
const maxUint64 = 2n ** 64n - 1n;

export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

/** The id's parts, or undefined when `text` is not a stream entry id. */
export function parseStreamId(text: string): StreamId | undefined {
  const match = streamIdPattern.exec(text);
  if (match === null) return undefined;
  const ms = BigInt(match[1] ?? "");
  const seq = BigInt(match[2] ?? "");
  if (ms > maxUint64 || seq > maxUint64) return undefined;
  return { ms, seq };
}

export function isStreamId(text: string): boolean {
  return parseStreamId(text) !== undefined;
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareStreamIds(a: string, b: string): number {
  const x = mustParse(a);
  const y = mustParse(b);
  if (x.ms !== y.ms) return x.ms < y.ms ? -1 : 1;
  if (x.seq !== y.seq) return x.seq < y.seq ? -1 : 1;
  return 0;
}

/** When Redis created the entry, in epoch milliseconds (the id's first part). */
export function streamIdTimeMs(id: string): number {
  return Number(mustParse(id).ms);
}

function mustParse(text: string): StreamId {
  const id = parseStreamId(text);
  if (id === undefined) throw new Error(`not a stream entry id: ${JSON.stringify(text)}`);
  return id;
}
