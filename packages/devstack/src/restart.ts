// `make restart NAME=<service>`: a rolling restart of one service's replicas by the running
// `make up`, each draining first, printed as it goes. Exits non-zero if it did not complete.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@shopmesh/launcher";
import { controlSocket, sendControl } from "./control.js";

const service = process.argv[2] ?? "";
const socket = controlSocket(join(repoRoot, ".run"));
if (service === "") {
  process.stderr.write("usage: make restart NAME=<service>, e.g. make restart NAME=catalog\n");
  process.exit(2);
}
if (!existsSync(socket)) {
  process.stderr.write("the shop is not running here: start it with make up\n");
  process.exit(1);
}
try {
  const last = await sendControl(socket, `/restart?service=${encodeURIComponent(service)}`, (line) => process.stdout.write(`${line}\n`));
  process.exit(last === "done" ? 0 : 1);
} catch (err) {
  process.stderr.write(
    `could not reach the running shop (${err instanceof Error ? err.message : String(err)}); is make up still running?\n`,
  );
  process.exit(1);
}
