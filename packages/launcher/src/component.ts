// What the launcher needs to know of a process: how to start it and how to tell that it is ready.

export type ComponentKind = "store" | "broker" | "service" | "sidecar" | "gateway" | "web" | "tracing";

/**
 * When a component counts as ready, always after its port accepts connections:
 * "tcp" at once, "grpc-health" once grpc.health.v1 says SERVING, `{ httpOk }` once that URL answers 2xx.
 */
export type Readiness = "tcp" | "grpc-health" | { readonly httpOk: string };

export interface Component {
  /** Unique among what one launcher starts; names its log file. */
  readonly name: string;
  readonly kind: ComponentKind;
  /** The port that answers when the component is up (not used when `socket` is set). */
  readonly port: number;
  /** A Unix socket that answers instead of the port (a service behind its sidecar). */
  readonly socket?: string;
  /** Envoy's admin port, for sidecars and the gateway. */
  readonly adminPort?: number;
  readonly command: string;
  readonly args: readonly string[];
  /** Its whole environment besides PATH: nothing else is inherited from the launching process. */
  readonly env?: Readonly<Record<string, string>>;
  /** Directories made (with parents) before it starts: its data. */
  readonly dirs?: readonly string[];
  readonly ready: Readiness;
}
