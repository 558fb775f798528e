// The running `make up` takes commands on a Unix socket in its run directory (only this user
// reaches it): `make restart NAME=<service>` asks it for a rolling restart and prints its progress.
// HTTP over the socket, so that any client (curl --unix-socket) can drive it too.
import { createServer, request, type Server } from "node:http";
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";

export function controlSocket(runDir: string): string {
  return join(runDir, "control.sock");
}

export interface ControlHandlers {
  /** Restarts a service's replicas one by one, telling each step; rejects for an unknown service. */
  restart(service: string, say: (line: string) => void): Promise<void>;
}

/** Serves the commands until closed; one restart at a time. */
export async function serveControl(path: string, handlers: ControlHandlers): Promise<Server> {
  let busy: string | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://shop");
    const service = url.searchParams.get("service") ?? "";
    if (req.method !== "POST" || url.pathname !== "/restart") {
      res.writeHead(404).end("unknown command\n");
      return;
    }
    if (busy !== undefined) {
      res.writeHead(409).end(`a restart of ${busy} is in progress; try again when it is done\n`);
      return;
    }
    busy = service;
    res.writeHead(200, { "content-type": "text/plain" });
    handlers
      .restart(service, (line) => res.write(`${line}\n`))
      .then(
        () => res.end("done\n"),
        (err: unknown) => res.end(`error: ${err instanceof Error ? err.message : String(err)}\n`),
      )
      .finally(() => {
        busy = undefined;
      });
  });
  rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
  // Only this user, whatever the umask.
  chmodSync(path, 0o600);
  return server;
}

/** Sends one command; calls `onLine` with each line of the answer and resolves with the last. */
export function sendControl(path: string, command: string, onLine: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: path, method: "POST", path: command }, (res) => {
      let buffered = "";
      let last = "";
      res.setEncoding("utf8");
      res.on("error", reject);
      res.on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          last = line;
          onLine(line);
        }
      });
      res.on("end", () => resolve(last));
    });
    req.on("error", reject);
    req.end();
  });
}
