// Where the project's pinned tools live: `make tools` installs them into <repo>/.tools/bin.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the directory holding buf.yaml). */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "buf.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the repository root (no buf.yaml above this file)");
    dir = parent;
  }
  return dir;
})();

/** The pinned tool `name` from .tools/bin, or `name` itself to be looked up on PATH. */
export function toolPath(name: string): string {
  const pinned = join(repoRoot, ".tools", "bin", name);
  return existsSync(pinned) ? pinned : name;
}

/** True when `name` is an executable on PATH. */
export function onPath(name: string): boolean {
  return (process.env["PATH"] ?? "").split(":").some((dir) => dir !== "" && existsSync(join(dir, name)));
}
