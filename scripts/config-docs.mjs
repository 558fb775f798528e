// Rewrites each service README's configuration table from the service's config schema
// (`envShape` in src/config.ts, where each variable's doc lives), so the two never disagree.
// `make docs` runs it; each service's config test fails while its README is stale.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withConfigTable } from "@shopmesh/kit";

for (const service of readdirSync("services")) {
  // Only the TypeScript services have a schema; another language's (shipping-go) points to theirs.
  if (!existsSync(join("services", service, "package.json"))) continue;
  const readmePath = join("services", service, "README.md");
  const { envShape } = await import(join(process.cwd(), "services", service, "dist", "src", "config.js"));
  const readme = readFileSync(readmePath, "utf8");
  const updated = withConfigTable(readme, envShape);
  if (updated !== readme) {
    writeFileSync(readmePath, updated);
    console.log(`docs: ${readmePath} rewritten from src/config.ts`);
  }
}
