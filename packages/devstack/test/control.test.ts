// The control socket of a running `make up`: `make restart` sends a command and prints the progress
// lines as they come; one restart runs at a time; a failure is said, not swallowed.
import { afterEach, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlSocket, sendControl, serveControl } from "../src/control.js";

let server: Server | undefined;
let dir: string | undefined;
afterEach(() => {
  server?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function socketPath(): string {
  dir = mkdtempSync(join(tmpdir(), "shopmesh-control-"));
  return controlSocket(dir);
}

describe("the control socket", () => {
  it("streams a restart's progress and ends with done", async () => {
    const path = socketPath();
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    server = await serveControl(path, {
      restart: async (service, say) => {
        say(`${service}: draining and restarting`);
        await held;
        say(`${service}: healthy again`);
      },
    });
    const lines: string[] = [];
    const first = sendControl(path, "/restart?service=catalog", (line) => lines.push(line));
    // While one restart runs, another is refused with a reason.
    await new Promise((r) => setTimeout(r, 100));
    const refused: string[] = [];
    await sendControl(path, "/restart?service=cart", (line) => refused.push(line));
    expect(refused).toEqual(["a restart of catalog is in progress; try again when it is done"]);
    release();
    expect(await first).toBe("done");
    expect(lines).toEqual(["catalog: draining and restarting", "catalog: healthy again", "done"]);
  });

  it("says why a restart failed", async () => {
    const path = socketPath();
    server = await serveControl(path, {
      restart: (service) => Promise.reject(new Error(`no service ${service}; the services are catalog, cart`)),
    });
    expect(await sendControl(path, "/restart?service=nosuch", () => undefined)).toBe(
      "error: no service nosuch; the services are catalog, cart",
    );
    expect(await sendControl(path, "/reboot", () => undefined)).toBe("unknown command");
  });
});
