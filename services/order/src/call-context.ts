/** What a handler passes on of its RPC to the work it starts. */
export interface CallContext {
  readonly signal: AbortSignal;
  /** The request id of the RPC (x-request-id), forwarded downstream. */
  readonly rpcRequestId: string;
  /** The caller's deadline (epoch milliseconds, from its grpc-timeout), if it set one. */
  readonly deadline: number | undefined;
}
