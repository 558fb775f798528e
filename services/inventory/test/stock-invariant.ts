// The stock invariant, for any test that moves stock through reservations (this service's tests,
// the order saga's): no unit is created or lost. For each SKU,
//   available + reserved + committed == the quantity SetStock set
// where `committed` counts the units of COMMITTED reservations since then, and neither count
// is ever negative. Held units are `reserved`; released or expired ones are back in `available`.

/** What GetStock reports for a SKU. */
export interface StockCounts {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
}

/** A reservation as the test saw it last (a Reservation message fits). */
export interface ReservationView {
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  /** ReservationState: 1 HELD, 2 COMMITTED, 3 RELEASED, 4 EXPIRED. */
  readonly state: number;
}

const committedState = 2;
const heldState = 1;

/** Units of `sku` in the reservations that are in `state`. */
export function unitsInState(reservations: readonly ReservationView[], sku: string, state: number): number {
  return reservations
    .filter((r) => r.state === state)
    .flatMap((r) => r.lines)
    .filter((l) => l.sku === sku)
    .reduce((sum, l) => sum + l.quantity, 0);
}

/**
 * What breaks the invariant for one SKU, as readable lines (empty when it holds). `set` is the
 * available quantity SetStock set while nothing was reserved; `committed` the units committed
 * since. Pass `held` too when the test knows every reservation on the SKU, to check `reserved`.
 */
export function stockInvariantViolations(
  stock: StockCounts,
  ledger: { readonly set: number; readonly committed: number; readonly held?: number },
): string[] {
  const problems: string[] = [];
  if (stock.available < 0) problems.push(`${stock.sku}: available is negative (${stock.available})`);
  if (stock.reserved < 0) problems.push(`${stock.sku}: reserved is negative (${stock.reserved})`);
  const total = stock.available + stock.reserved + ledger.committed;
  if (total !== ledger.set) {
    problems.push(
      `${stock.sku}: available ${stock.available} + reserved ${stock.reserved} + committed ${ledger.committed} = ${total}, but ${ledger.set} were set`,
    );
  }
  if (ledger.held !== undefined && stock.reserved !== ledger.held) {
    problems.push(`${stock.sku}: reserved is ${stock.reserved}, but HELD reservations hold ${ledger.held}`);
  }
  return problems;
}

/** The invariant checked against everything the test knows about the SKU's reservations. */
export function stockInvariantFromReservations(stock: StockCounts, set: number, reservations: readonly ReservationView[]): string[] {
  return stockInvariantViolations(stock, {
    set,
    committed: unitsInState(reservations, stock.sku, committedState),
    held: unitsInState(reservations, stock.sku, heldState),
  });
}
