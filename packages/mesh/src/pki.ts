// The mesh's workload identities: a local certificate authority and one short-lived certificate
// per workload (the gateway and each service's sidecar) whose identity is a SPIFFE ID in the URI
// SAN. Certificates reach Envoy through SDS files that Envoy watches, so issuing new ones
// (rotate) swaps them under running proxies without a restart.
// @peculiar/x509 builds the certificates on Node's WebCrypto: pure TypeScript, no native code
// and no openssl subprocess (docs/dependencies.md).
import { randomBytes, webcrypto } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

type Crypto = Parameters<typeof x509.cryptoProvider.set>[0];
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const provider = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(provider);

const keyAlgorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const hourMs = 3_600_000;

/** The name of the secret each workload's SDS file holds; Envoy's configs ask for it by name. */
export const certificateSecretName = "workload";
export const trustSecretName = "mesh-ca";

export interface PkiOptions {
  /** Where the CA, the workload certificates and the SDS files live (private to the mesh). */
  readonly dir: string;
  /**
   * How long certificates and a new CA are valid, when not `make up`'s 12 h and 7 days: a deployment's
   * Secrets (packages/deploy) are rendered once and replaced by hand, so they live longer.
   */
  readonly validity?: { readonly certificateHours: number; readonly caHours: number };
}

/** How long a workload certificate is valid; rotate well before then (make up: every 4 hours). */
const certificateHours = 12;
/** How long a new CA is valid; an existing one is reused while it has more than a day left. */
const caHours = 7 * 24;

export interface Workload {
  /** The directory name under the PKI dir: "gateway" or the service's name. */
  readonly name: string;
  readonly spiffeId: string;
  /** Extra names for a certificate a person's client checks (the gateway's TLS port). */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/** The files of one workload's identity. */
export interface WorkloadFiles {
  readonly certificate: string;
  readonly privateKey: string;
  /** SDS DiscoveryResponse holding the certificate and key (what Envoy watches). */
  readonly sds: string;
}

export function workloadFiles(dir: string, workload: string): WorkloadFiles {
  const base = join(dir, workload);
  return { certificate: join(base, "cert.pem"), privateKey: join(base, "key.pem"), sds: join(base, "sds-certificate.json") };
}

/** The CA certificate (for grpcurl -cacert) and the SDS file of the trust bundle. */
export function trustFiles(dir: string): { readonly caCertificate: string; readonly sds: string } {
  return { caCertificate: join(dir, "ca.pem"), sds: join(dir, "sds-trust.json") };
}

interface Authority {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: CryptoKey;
}

/**
 * Makes (or reuses) the CA and issues a fresh certificate for every workload, writing each
 * atomically so a running Envoy picks it up. Safe to call again: that is a rotation.
 */
export async function issueCertificates(workloads: readonly Workload[], options: PkiOptions): Promise<void> {
  makePrivateDir(options.dir);
  const validMs = (options.validity?.certificateHours ?? certificateHours) * hourMs;
  const ca = await loadOrCreateAuthority(options.dir, options.validity?.caHours ?? caHours, validMs);
  for (const workload of workloads) {
    const keys = (await webcrypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${workload.name}`,
      issuer: ca.certificate.subject,
      // A minute back, so a clock read a little later elsewhere never sees it "not yet valid".
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + validMs),
      signingAlgorithm: keyAlgorithm,
      publicKey: keys.publicKey,
      signingKey: ca.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: "url", value: workload.spiffeId },
          ...(workload.dnsNames ?? []).map((value) => ({ type: "dns" as const, value })),
          ...(workload.ipAddresses ?? []).map((value) => ({ type: "ip" as const, value })),
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(ca.certificate, false, provider),
      ],
    });
    const certPem = certificate.toString("pem");
    const keyPem = await privateKeyPem(keys.privateKey);
    const files = workloadFiles(options.dir, workload.name);
    makePrivateDir(join(options.dir, workload.name));
    writeAtomically(files.privateKey, keyPem);
    writeAtomically(files.certificate, certPem);
    // Last, and in one rename: Envoy reloads on the move and sees a certificate and key that match.
    writeAtomically(
      files.sds,
      sdsResponse({
        name: certificateSecretName,
        tls_certificate: {
          certificate_chain: { inline_string: certPem },
          private_key: { inline_string: keyPem },
        },
      }),
    );
  }
}

function sdsResponse(secret: Record<string, unknown>): string {
  const resource = { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", ...secret };
  return `${JSON.stringify({ resources: [resource] }, null, 2)}\n`;
}

/**
 * The CA in `dir`, or a new one when there is none or it has a day or less left (or less than a new
 * certificate's `certificateMs`, which it must outlive). The trust bundle
 * (what every Envoy accepts) is rewritten each time and keeps a replaced CA until it expires, so
 * certificates it signed stay good while each Envoy picks up its new one.
 */
async function loadOrCreateAuthority(dir: string, validHours: number, certificateMs: number): Promise<Authority> {
  const certPath = join(dir, "ca.pem");
  const keyPath = join(dir, "ca-key.pem");
  const previousPath = join(dir, "ca-previous.pem");
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certificate = new x509.X509Certificate(readFileSync(certPath, "utf8"));
    if (certificate.notAfter.getTime() - Date.now() > Math.max(24 * hourMs, certificateMs)) {
      const der = x509.PemConverter.decodeFirst(readFileSync(keyPath, "utf8"));
      const privateKey = await webcrypto.subtle.importKey("pkcs8", der, keyAlgorithm, false, ["sign"]);
      writeTrustBundle(dir, [certificate, ...stillValid(previousPath)]);
      return { certificate, privateKey };
    }
    if (certificate.notAfter.getTime() > Date.now()) writeAtomically(previousPath, certificate.toString("pem"));
  }
  const keys = (await webcrypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=shopmesh local CA, O=shopmesh",
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validHours * hourMs),
    signingAlgorithm: keyAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
    ],
  });
  writeAtomically(keyPath, await privateKeyPem(keys.privateKey));
  writeAtomically(certPath, certificate.toString("pem"));
  writeTrustBundle(dir, [certificate, ...stillValid(previousPath)]);
  return { certificate, privateKey: keys.privateKey };
}

/** The CA certificate at `path` while it is still valid (none otherwise). */
function stillValid(path: string): x509.X509Certificate[] {
  if (!existsSync(path)) return [];
  const certificate = new x509.X509Certificate(readFileSync(path, "utf8"));
  return certificate.notAfter.getTime() > Date.now() ? [certificate] : [];
}

function writeTrustBundle(dir: string, authorities: readonly x509.X509Certificate[]): void {
  const bundle = authorities.map((c) => c.toString("pem")).join("\n");
  const secret = { name: trustSecretName, validation_context: { trusted_ca: { inline_string: bundle } } };
  writeAtomically(trustFiles(dir).sds, sdsResponse(secret));
}

/** A directory only this user can enter, even when an older run left it with looser permissions. */
function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY")}\n`;
}

/** A positive 128-bit serial (the first bit cleared so it never reads as negative). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

/** Writes to a temporary file beside `path` and renames it over: readers see old or new, never half. */
function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
}
