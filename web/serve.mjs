// The storefront's server: the built page (web/dist) and /config.json, which tells the page where
// the gateway is. Static files only; the page talks to the shop through the gateway itself.
//
//   WEB_PORT=7102 GATEWAY_URL=http://127.0.0.1:7100 node web/serve.mjs
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import sirv from "sirv";

const distDir = join(dirname(fileURLToPath(import.meta.url)), "dist");
/** Close keep-alive connections still open this long after SIGTERM. */
const graceMs = 3_000;

const logger = pino({
  base: { service: "web" },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

/**
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {{ port: number, gatewayUrl: string }}
 */
export function loadConfig(env) {
  const problems = [];
  const port = env["WEB_PORT"];
  if (port === undefined || !/^\d{1,5}$/.test(port) || Number(port) > 65_535) {
    problems.push(
      `WEB_PORT must be an integer 0..65535 (0 picks a free port)${port === undefined ? " (not set)" : ` (got ${JSON.stringify(port)})`}`,
    );
  }
  const gatewayUrl = env["GATEWAY_URL"];
  let gatewayOrigin;
  try {
    gatewayOrigin = gatewayUrl === undefined ? undefined : new URL(gatewayUrl);
  } catch {
    gatewayOrigin = undefined;
  }
  if (gatewayOrigin === undefined || !/^https?:$/.test(gatewayOrigin.protocol)) {
    problems.push(
      `GATEWAY_URL must be the gateway's http(s) URL, e.g. http://127.0.0.1:7100${gatewayUrl === undefined ? " (not set)" : ` (got ${JSON.stringify(gatewayUrl)})`}`,
    );
  }
  if (problems.length > 0) throw new Error(`config: ${problems.join("; ")}`);
  return { port: Number(port), gatewayUrl: String(gatewayUrl).replace(/\/+$/, "") };
}

/**
 * @param {{ port: number, gatewayUrl: string }} config
 * @returns {import("node:http").Server}
 */
export function createWebServer(config) {
  const configJson = JSON.stringify({ gatewayUrl: config.gatewayUrl });
  // The page loads only its own files and calls only its own origin and the gateway.
  const csp = [
    "default-src 'self'",
    `connect-src 'self' ${new URL(config.gatewayUrl).origin}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const files = sirv(distDir, {
    etag: true,
    setHeaders: (res, pathname) => {
      // Vite names the files under assets/ by their content hash: cache them for good.
      res.setHeader("cache-control", pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  return createServer((req, res) => {
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
    res.setHeader("content-security-policy", csp);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("method not allowed\n");
      return;
    }
    if (req.url?.split("?")[0] === "/config.json") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(configJson);
      return;
    }
    files(req, res, () => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    });
  });
}

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    logger.fatal(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
    return;
  }
  if (!existsSync(join(distDir, "index.html"))) {
    logger.fatal(`${distDir} has no index.html: build the page first (npm run build -w web)`);
    process.exitCode = 1;
    return;
  }
  const server = createWebServer(config);
  server.on("error", (err) => {
    logger.fatal({ err }, "cannot serve");
    process.exitCode = 1;
  });
  server.listen(config.port, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : config.port;
    logger.info({ address: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}/`, gateway: config.gatewayUrl }, "listening");
  });
  const stop = (/** @type {string} */ signal) => {
    logger.info({ signal }, "stopping");
    server.close(() => logger.info("stopped"));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
