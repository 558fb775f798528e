// `vite build` writes dist/ for serve.mjs. `npm run dev -w web` serves the page with live reload
// against a running shop (`make up`): it answers /config.json itself, from GATEWAY_URL.
import { defineConfig, type Plugin } from "vite";

function shopConfig(gatewayUrl: string): Plugin {
  return {
    name: "shop-config",
    configureServer(server) {
      server.middlewares.use("/config.json", (_req, res) => {
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.end(JSON.stringify({ gatewayUrl }));
      });
    },
  };
}

export default defineConfig({
  plugins: [shopConfig(process.env["GATEWAY_URL"] ?? "http://127.0.0.1:7100")],
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: { outDir: "dist", emptyOutDir: true },
});
