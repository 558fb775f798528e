// The repository root: the directory above this package holding buf.yaml.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "buf.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the repository root (no buf.yaml above this file)");
    dir = parent;
  }
  return dir;
})();
