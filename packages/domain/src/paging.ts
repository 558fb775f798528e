// Page sizes of every List RPC, as the contracts state them: 0 asks for the default, a size
// above the maximum gets the maximum, a negative one is refused.

export const defaultPageSize = 20;
export const maxPageSize = 100;

/** Why `pageSize` is not a page size the contracts accept, or undefined when it is one. */
export function pageSizeProblem(pageSize: number): string | undefined {
  return pageSize < 0 ? "must not be negative" : undefined;
}

/** How many items a page of `pageSize` holds (an accepted size: see pageSizeProblem). */
export function pageLimit(pageSize: number): number {
  return pageSize <= 0 ? defaultPageSize : Math.min(pageSize, maxPageSize);
}
