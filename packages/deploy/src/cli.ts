// make manifests:        node packages/deploy/dist/src/cli.js manifests
// make compose-secrets:  node packages/deploy/dist/src/cli.js compose-secrets .run/compose
// make k8s-secrets:      node packages/deploy/dist/src/cli.js k8s-secrets .run/k8s
import { join } from "node:path";
import { loadTopology } from "@shopmesh/mesh";
import { repoRoot } from "@shopmesh/launcher";
import { writeDeploy } from "./render.js";
import { renderComposeSecrets, renderKubernetesSecrets } from "./secrets.js";

const usage = "usage: cli.js manifests | compose-secrets <dir> | k8s-secrets <dir>";

async function main(args: readonly string[]): Promise<void> {
  const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
  const [command, dir] = args;
  if (command === "manifests" && dir === undefined) {
    const written = writeDeploy(topology, repoRoot);
    process.stdout.write(`manifests: wrote ${written.length} files (deploy/compose, deploy/k8s, docker-bake.hcl)\n`);
  } else if (command === "compose-secrets" && dir !== undefined) {
    await renderComposeSecrets(topology, dir);
    process.stdout.write(`compose-secrets: certificates in ${dir}/pki, page-token keys in ${dir}/env (never commit them)\n`);
  } else if (command === "k8s-secrets" && dir !== undefined) {
    const [secrets, jwks] = await renderKubernetesSecrets(topology, dir);
    process.stdout.write(`k8s-secrets: kubectl apply -f ${secrets} (and, with Istio, -f ${jwks}); never commit them\n`);
  } else {
    throw new Error(usage);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
