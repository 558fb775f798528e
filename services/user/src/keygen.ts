// Creates the token signing key for a deployment, once:
//   node services/user/dist/src/keygen.js <dir>
// writes <dir>/jwt-es256.pem (PKCS#8, mode 0600; the user service's JWT_PRIVATE_KEY_FILE) and
// <dir>/jwks.json (the public key, for the gateway's jwt_authn). An existing key is never
// replaced; a missing jwks.json is rebuilt from it.
import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { generateSigningKey, jwksFileContent, jwksFileName, privateKeyFileName, readSigningKeyFile, type SigningKey } from "./keys.js";

/** Creates what is missing in `dir`; returns the one line to print. */
async function ensureKeyFiles(dir: string): Promise<string> {
  const pemPath = join(dir, privateKeyFileName);
  const jwksPath = join(dir, jwksFileName);
  if (existsSync(pemPath)) {
    if (existsSync(jwksPath)) return `keygen: ${pemPath} exists; left ${privateKeyFileName} and ${jwksFileName} as they are`;
    const key = await readSigningKeyFile(pemPath);
    await writeJwks(jwksPath, key);
    return `keygen: ${pemPath} exists; wrote ${jwksPath} from it (kid ${key.kid})`;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { key, pem } = await generateSigningKey();
  // "wx": never overwrite a key another run wrote in the meantime.
  await writeFile(pemPath, pem.endsWith("\n") ? pem : `${pem}\n`, { mode: 0o600, flag: "wx" });
  await chmod(pemPath, 0o600);
  await writeJwks(jwksPath, key);
  return `keygen: wrote ${pemPath} and ${jwksPath} (kid ${key.kid})`;
}

/** Written under a temporary name and renamed, so the gateway never reads half a file. */
async function writeJwks(path: string, key: SigningKey): Promise<void> {
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, jwksFileContent(key), { mode: 0o644 });
  await rename(partial, path);
}

const args = process.argv.slice(2);
if (args.length !== 1 || args[0] === undefined || args[0] === "" || args[0].startsWith("-")) {
  process.stderr.write("usage: node services/user/dist/src/keygen.js <dir>\n");
  process.exitCode = 2;
} else {
  ensureKeyFiles(args[0]).then(
    (line) => process.stdout.write(`${line}\n`),
    (err: unknown) => {
      process.stderr.write(`keygen: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
