// The page's one setting, the gateway's address, comes from /config.json (written by serve.mjs
// from GATEWAY_URL), so one build runs against any shop.
export interface PageConfig {
  readonly gatewayUrl: string;
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<PageConfig> {
  const res = await fetchImpl("/config.json", { cache: "no-store" });
  if (!res.ok) throw new Error(`/config.json answered ${res.status}`);
  return parseConfig(await res.json());
}

export function parseConfig(value: unknown): PageConfig {
  const gatewayUrl = typeof value === "object" && value !== null ? (value as Record<string, unknown>)["gatewayUrl"] : undefined;
  if (typeof gatewayUrl !== "string" || !/^https?:\/\/[^/]+/.test(gatewayUrl)) {
    throw new Error("/config.json has no gatewayUrl (an http or https URL)");
  }
  return { gatewayUrl: gatewayUrl.replace(/\/+$/, "") };
}
