/**
 * Errors in a ghz report that the server caused. When its time is up, ghz cancels the calls still
 * in flight and closes its connections under them; those show up as errors but are not the
 * server's.
 */
export function countServerErrors(errorDistribution: Readonly<Record<string, number>> | undefined): number {
  let count = 0;
  for (const [message, n] of Object.entries(errorDistribution ?? {})) {
    if (/use of closed network connection|context canceled|code = Canceled/.test(message)) continue;
    count += n;
  }
  return count;
}
