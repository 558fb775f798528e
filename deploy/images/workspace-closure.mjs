// Prints the workspace directories a workspace needs at run time: itself and, transitively, every
// workspace package among its (non-dev) dependencies. An image's final stage copies only these.
//   node deploy/images/workspace-closure.mjs services/catalog   →  services/catalog packages/kit gen …
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = process.cwd();
const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
/** Workspace package name → its directory, from the root's workspace globs (`dir` or `dir/*`). */
const byName = new Map();
for (const pattern of rootManifest.workspaces) {
  const dirs = pattern.endsWith("/*")
    ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `${pattern.slice(0, -2)}/${e.name}`)
    : [pattern];
  for (const dir of dirs) {
    const manifest = join(root, dir, "package.json");
    if (existsSync(manifest)) byName.set(JSON.parse(readFileSync(manifest, "utf8")).name, dir);
  }
}

const start = process.argv[2];
if (start === undefined) {
  process.stderr.write("usage: node deploy/images/workspace-closure.mjs <workspace dir>\n");
  process.exit(2);
}
const seen = new Set();
const visit = (dir) => {
  if (seen.has(dir)) return;
  seen.add(dir);
  const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const workspace = byName.get(dependency);
    if (workspace !== undefined) visit(workspace);
  }
};
visit(start);
process.stdout.write(`${[...seen].join(" ")}\n`);
