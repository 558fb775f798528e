// Where the running mesh keeps what its Envoys and services share on disk.
import { join } from "node:path";
import { trustFiles, workloadFiles } from "./pki.js";

export interface MeshFiles {
  /** Envoy access logs. */
  readonly logDir: string;
  /** The CA, the workload certificates and the SDS files Envoy watches (0700). */
  readonly pkiDir: string;
  /** The services' and the egresses' Unix sockets: only the mesh reaches them (0700). */
  readonly socketDir: string;
  /** The user service's public keys, for the gateway's JWT check. */
  readonly jwksPath: string;
}

// sun_path holds 108 bytes; a longer path fails at bind with a message that does not say why.
const maxSocketPath = 107;

function socketPath(dir: string, name: string): string {
  const path = join(dir, `${name}.sock`);
  if (Buffer.byteLength(path) > maxSocketPath)
    throw new Error(`socket path too long for a Unix socket (max ${maxSocketPath} bytes): ${path}`);
  return path;
}

/** Where a service listens in the mesh: only its sidecar's ingress connects there. */
export function serviceSocket(files: Pick<MeshFiles, "socketDir">, service: string): string {
  return socketPath(files.socketDir, service);
}

/** Where a service reaches its callees: its own sidecar's egress. */
export function egressSocket(files: Pick<MeshFiles, "socketDir">, service: string): string {
  return socketPath(files.socketDir, `${service}-egress`);
}

export function certificateSds(files: Pick<MeshFiles, "pkiDir">, workload: string): string {
  return workloadFiles(files.pkiDir, workload).sds;
}

export function trustSds(files: Pick<MeshFiles, "pkiDir">): string {
  return trustFiles(files.pkiDir).sds;
}
