// Entry point: read /config.json to find the gateway, then start the storefront.
import { html, render } from "lit-html";
import { App } from "./app.js";
import { loadConfig } from "./config.js";
import { sessionStore } from "./session.js";

const root = document.getElementById("app");
if (root === null) throw new Error("index.html has no #app element");

try {
  const config = await loadConfig();
  root.replaceChildren();
  new App(root, config.gatewayUrl, sessionStore(sessionStorage)).start();
} catch (err) {
  console.error(err);
  root.replaceChildren();
  render(
    html`<main class="boot" role="alert">
      <h1>The shop could not start</h1>
      <p>Its settings could not be read. Please reload the page in a moment.</p>
      <button type="button" @click=${() => location.reload()}>Reload</button>
    </main>`,
    root,
  );
}
