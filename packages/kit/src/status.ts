// Maps between ConnectError (what handlers throw and clients see) and gRPC status as grpc-js
// carries it: a code, a message and trailers, with error details in grpc-status-details-bin
// encoded as google.rpc.Status, as every gRPC implementation reads them.
import { Metadata, status as grpcStatus, type StatusObject, type ServiceError } from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { StatusSchema } from "@shopmesh/gen/google/rpc/status_pb.js";

export const statusDetailsKey = "grpc-status-details-bin";

/** The message a client sees for any error the service did not expect. */
export const internalErrorMessage = "internal error";

/**
 * The gRPC status for an error a handler threw. A ConnectError keeps its code, message and
 * details; anything else is unexpected and becomes INTERNAL with a generic message, so a client
 * never sees a stack trace or internals (the caller logs the cause).
 */
export function statusFromError(err: unknown): StatusObject & { expected: boolean } {
  if (!(err instanceof ConnectError)) {
    return {
      code: grpcStatus.INTERNAL,
      details: internalErrorMessage,
      metadata: new Metadata(),
      expected: false,
    };
  }
  const metadata = metadataFromHeaders(err.metadata);
  const details = err.details.map((d) =>
    "desc" in d
      ? anyPack(d.desc, create(d.desc, d.value))
      : { $typeName: "google.protobuf.Any" as const, typeUrl: `type.googleapis.com/${d.type}`, value: d.value },
  );
  if (details.length > 0) {
    const status = create(StatusSchema, { code: err.code, message: err.rawMessage, details });
    metadata.set(statusDetailsKey, Buffer.from(toBinary(StatusSchema, status)));
  }
  // An unknown code (possible with ConnectError.from) would be sent as is; keep it in range.
  const code = err.code >= Code.Canceled && err.code <= Code.Unauthenticated ? err.code : Code.Unknown;
  // Connect's codes are gRPC's status codes, number for number.
  return {
    code: code as number as grpcStatus,
    details: err.rawMessage,
    metadata,
    expected: code !== Code.Internal && code !== Code.Unknown,
  };
}

/** The ConnectError for a failed grpc-js call, with the details from grpc-status-details-bin. */
export function errorFromStatus(status: Pick<ServiceError, "code" | "details" | "metadata">): ConnectError {
  const code: Code = status.code >= 1 && status.code <= 16 ? (status.code as number) : Code.Unknown;
  const err = new ConnectError(status.details, code, headersFromMetadata(status.metadata));
  const raw = status.metadata.get(statusDetailsKey)[0];
  if (raw instanceof Buffer) {
    try {
      const decoded = fromBinary(StatusSchema, raw);
      err.details = decoded.details.map((a) => ({
        type: a.typeUrl.substring(a.typeUrl.lastIndexOf("/") + 1),
        value: a.value,
      }));
    } catch {
      // Undecodable details leave the code and message intact; that is what clients act on.
    }
  }
  return err;
}

/** grpc-js Metadata as fetch Headers; binary values are base64 without padding, as in Connect. */
export function headersFromMetadata(metadata: Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.getMap())) {
    if (key === statusDetailsKey) continue;
    headers.append(key, typeof values === "string" ? values : values.toString("base64").replace(/=+$/, ""));
  }
  return headers;
}

/** fetch Headers as grpc-js Metadata; keys ending in -bin are decoded from base64. */
export function metadataFromHeaders(headers: ConstructorParameters<typeof Headers>[0] | undefined): Metadata {
  const metadata = new Metadata();
  if (headers === undefined) return metadata;
  new Headers(headers).forEach((value, key) => {
    if (key.endsWith("-bin")) {
      for (const part of value.split(",")) metadata.add(key, Buffer.from(part.trim(), "base64"));
    } else {
      metadata.add(key, value);
    }
  });
  return metadata;
}

/** The gRPC name of a code ("INVALID_ARGUMENT"), as logs and grpcurl print it. */
export function codeName(code: number): string {
  return grpcStatus[code] ?? `CODE_${code}`;
}
