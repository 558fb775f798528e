// The pinned tools the deploy checks run, from .tools/bin (`make tools` installs them): a missing
// one fails the test with what to run, rather than a confusing spawn error.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../src/index.js";

export function pinnedTool(name: string): string {
  const path = join(repoRoot, ".tools", "bin", name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`make tools\` (it installs ${name} pinned)`);
  return path;
}

/** The staged validation schemas (make tools: scripts/validation-schemas.mjs). */
export function schemaDir(kind: "kubernetes" | "istio"): string {
  const dir = join(repoRoot, ".tools", "schemas", kind);
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run \`make tools\` (it stages the ${kind} schemas)`);
  return dir;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command`; resolves with its exit code and output whatever the code. */
export async function run(command: string, args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<Run> {
  const child = promisify(execFile)(command, args, { cwd: options.cwd ?? repoRoot, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? e.message };
  }
}
