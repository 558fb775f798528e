// What the broker says of its consumers, from its HTTP monitoring (/jsz): per durable consumer how
// many events wait for it (lag), how many it has in hand unacknowledged, how many came again, and
// how many of its messages went to its dead letters. `make status` prints it; the tests read it.
import { deadLetterStreamName } from "@shopmesh/events";

export interface ConsumerReport {
  readonly stream: string;
  readonly consumer: string;
  /** Messages of its stream it has not been given yet. */
  readonly pending: number;
  /** Given to it and not acknowledged yet. */
  readonly unacked: number;
  readonly redelivered: number;
  /** The stream sequence up to which it acknowledged everything. */
  readonly ackFloor: number;
  /** Messages in its service's dead letters (every consumer of that service). */
  readonly deadLetters: number;
}

interface Jsz {
  readonly account_details?: readonly {
    readonly stream_detail?: readonly {
      readonly name: string;
      readonly state: { readonly messages: number; readonly last_seq: number };
      readonly consumer_detail?: readonly {
        readonly name: string;
        readonly num_pending: number;
        readonly num_ack_pending: number;
        readonly num_redelivered: number;
        readonly ack_floor: { readonly stream_seq: number };
      }[];
    }[];
  }[];
}

/** Every durable consumer of every stream, by the broker's monitoring at `monitorUrl`. */
export async function consumerReports(monitorUrl: string): Promise<ConsumerReport[]> {
  const response = await fetch(`${monitorUrl}/jsz?consumers=true`, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`broker monitoring answered HTTP ${response.status}`);
  const jsz = (await response.json()) as Jsz;
  const streams = (jsz.account_details ?? []).flatMap((a) => a.stream_detail ?? []);
  const messagesIn = (name: string): number => streams.find((s) => s.name === name)?.state.messages ?? 0;
  return streams.flatMap((s) =>
    (s.consumer_detail ?? []).map((c) => ({
      stream: s.name,
      consumer: c.name,
      pending: c.num_pending,
      unacked: c.num_ack_pending,
      redelivered: c.num_redelivered,
      ackFloor: c.ack_floor.stream_seq,
      deadLetters: messagesIn(deadLetterStreamName(c.name)),
    })),
  );
}

/** The report as `make status` prints it: a table, or why there is none. */
export function renderConsumerReports(reports: readonly ConsumerReport[]): string {
  const rows = [
    ["CONSUMER", "LAG", "UNACKED", "REDELIVERED", "DEAD LETTERS"],
    ...reports.map((r) => [
      `${r.stream}/${r.consumer}`,
      String(r.pending),
      String(r.unacked),
      String(r.redelivered),
      String(r.deadLetters),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows
    .map((row) => `${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")}\n`)
    .join("");
}
