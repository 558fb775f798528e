// The private half of a deployment, rendered locally and never committed: the mesh's CA and a
// certificate per workload (packages/mesh/src/pki.ts, with the names containers reach each other
// by), a page-token key per service, and the user service's token-signing key (made beforehand by
// services/user's keygen into `<dir>/keys`). Compose mounts the files; Kubernetes gets Secrets.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { issueCertificates, type Topology, trustFiles, type Workload, workloadFiles } from "@shopmesh/mesh";
import { stringify } from "yaml";
import { brokerAdminWorkload, brokerHost, deployedBroker } from "./broker.js";
import { secretNames } from "./k8s-base.js";
import { type Json, namespace } from "./k8s-common.js";
import { ingressName, ingressTlsSecret } from "./k8s-istio.js";
import { meshSecret, trustSecret } from "./k8s-sidecars.js";

/**
 * A deployment's certificates are replaced by rendering them again (docs/deploy.md), not rotated by a
 * running `make up`: 90 days, under a CA of a year.
 */
const deployValidity = { certificateHours: 90 * 24, caHours: 365 * 24 };

/** The broker's certificate, for the names its clients reach it by, and the admin's, which the setup shows. */
function brokerWorkloads(topology: Topology, dnsNames: string[]): Workload[] {
  const broker = deployedBroker(topology);
  if (broker === undefined) return [];
  return [
    { name: brokerHost, spiffeId: broker.identity, dnsNames },
    { name: brokerAdminWorkload, spiffeId: broker.adminIdentity },
  ];
}

/** Compose: one certificate per replica container; the gateway is also `localhost` for people's clients. */
export function composeWorkloads(topology: Topology): Workload[] {
  return [
    { name: "gateway", spiffeId: topology.gateway.identity, dnsNames: ["gateway", "localhost"], ipAddresses: ["127.0.0.1"] },
    ...topology.services.flatMap((s) => s.replicas.map((r) => ({ name: r.name, spiffeId: s.identity }))),
    ...brokerWorkloads(topology, [brokerHost]),
  ];
}

const clusterNames = (name: string): string[] => [name, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];

/** Kubernetes: every pod of a service shares its certificate (one Secret per service). */
export function kubernetesWorkloads(topology: Topology): Workload[] {
  return [
    {
      name: "gateway",
      spiffeId: topology.gateway.identity,
      dnsNames: [...clusterNames("gateway"), "localhost"],
      ipAddresses: ["127.0.0.1"],
    },
    ...topology.services.map((s) => ({ name: s.name, spiffeId: s.identity })),
    ...brokerWorkloads(topology, clusterNames(brokerHost)),
  ];
}

/** The page-token keys in `dir`/page-token-secrets.json, made once per service and kept. */
function pageTokenSecrets(topology: Topology, dir: string): Record<string, string> {
  const path = join(dir, "page-token-secrets.json");
  const known = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, string>) : {};
  const secrets = Object.fromEntries(topology.services.map((s) => [s.name, known[s.name] ?? randomBytes(32).toString("base64url")]));
  writePrivate(path, `${JSON.stringify(secrets, null, 2)}\n`);
  return secrets;
}

function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function readKeys(dir: string): { pem: string; jwks: string } {
  const pem = join(dir, "keys", "jwt-es256.pem");
  const jwks = join(dir, "keys", "jwks.json");
  if (!existsSync(pem) || !existsSync(jwks))
    throw new Error(`no signing key in ${dir}/keys: run node services/user/dist/src/keygen.js ${dir}/keys first`);
  return { pem: readFileSync(pem, "utf8"), jwks: readFileSync(jwks, "utf8") };
}

/** `<dir>/pki` for the containers, and `<dir>/env/<service>.env` with each service's PAGE_TOKEN_SECRET. */
export async function renderComposeSecrets(topology: Topology, dir: string): Promise<void> {
  mkdirSync(join(dir, "env"), { recursive: true, mode: 0o700 });
  readKeys(dir);
  await issueCertificates(composeWorkloads(topology), { dir: join(dir, "pki"), validity: deployValidity });
  for (const [service, secret] of Object.entries(pageTokenSecrets(topology, dir))) {
    writePrivate(join(dir, "env", `${service}.env`), `PAGE_TOKEN_SECRET=${secret}\n`);
  }
}

function secret(name: string, data: Record<string, string>, type = "Opaque"): Json {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, type, stringData: data };
}

/**
 * `<dir>/secrets.yaml`: every Secret the manifests reference (kubectl apply -f it before the
 * overlay), and `<dir>/istio-jwks.yaml`: the ingress's RequestAuthentication with the real JWKS.
 */
export async function renderKubernetesSecrets(topology: Topology, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = readKeys(dir);
  const pki = join(dir, "pki");
  const workloads = kubernetesWorkloads(topology);
  await issueCertificates(workloads, { dir: pki, validity: deployValidity });
  const gateway = workloadFiles(pki, "gateway");
  const documents: Json[] = [
    // Envoy reads the SDS files; NATS and its clients the PEM files.
    secret(trustSecret, {
      "sds-trust.json": readFileSync(trustFiles(pki).sds, "utf8"),
      "ca.pem": readFileSync(trustFiles(pki).caCertificate, "utf8"),
    }),
    ...workloads.map((w) => {
      const own = workloadFiles(pki, w.name);
      return secret(meshSecret(w.name), {
        "sds-certificate.json": readFileSync(own.sds, "utf8"),
        "cert.pem": readFileSync(own.certificate, "utf8"),
        "key.pem": readFileSync(own.privateKey, "utf8"),
      });
    }),
    secret(secretNames.pageTokens, pageTokenSecrets(topology, dir)),
    secret(secretNames.jwtSigning, { "jwt-es256.pem": keys.pem }),
    secret(secretNames.jwks, { "jwks.json": keys.jwks }),
    secret(
      ingressTlsSecret,
      { "tls.crt": readFileSync(gateway.certificate, "utf8"), "tls.key": readFileSync(gateway.privateKey, "utf8") },
      "kubernetes.io/tls",
    ),
  ];
  const secretsPath = join(dir, "secrets.yaml");
  writePrivate(secretsPath, documents.map((d) => stringify(d, { lineWidth: 0, version: "1.1" })).join("---\n"));
  const jwksPath = join(dir, "istio-jwks.yaml");
  const requestAuthentication = {
    apiVersion: "security.istio.io/v1",
    kind: "RequestAuthentication",
    metadata: { name: ingressName, namespace },
    spec: {
      selector: { matchLabels: { istio: "shop-ingress" } },
      jwtRules: [
        {
          issuer: topology.gateway.jwt.issuer,
          audiences: [topology.gateway.jwt.audience],
          jwks: keys.jwks.trim(),
          fromHeaders: [{ name: "authorization", prefix: "Bearer " }],
          outputClaimToHeaders: [{ header: "x-shop-user-id", claim: "sub" }],
        },
      ],
    },
  };
  writeFileSync(jwksPath, stringify(requestAuthentication, { lineWidth: 0, version: "1.1" }));
  return [secretsPath, jwksPath];
}
