// The real grpcurl binary, as a person at a terminal would run it.
import { execFile } from "node:child_process";
import { toolPath } from "./tools.js";

export interface GrpcurlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `grpcurl -plaintext <args…>` (or over TLS) with a bounded time. `data` is sent as the request body
 * (grpcurl's `-d @`). Never throws for a non-zero exit: tests assert on what a user would see.
 */
export function grpcurl(
  args: readonly string[],
  options: { data?: unknown; timeoutMs?: number /** false: TLS, with the certificate flags in `args` */; plaintext?: boolean } = {},
): Promise<GrpcurlResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fullArgs = [
    ...(options.plaintext === false ? [] : ["-plaintext"]),
    "-max-time",
    String(Math.ceil(timeoutMs / 1000)),
    ...(options.data !== undefined ? ["-d", "@"] : []),
    ...args,
  ];
  return new Promise((resolve) => {
    const child = execFile(toolPath("grpcurl"), fullArgs, { timeout: timeoutMs + 2_000 }, (err, stdout, stderr) => {
      const exitCode = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      resolve({ exitCode, stdout, stderr });
    });
    if (options.data !== undefined) child.stdin?.end(JSON.stringify(options.data));
  });
}
