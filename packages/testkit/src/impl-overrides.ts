// SHOP_TEST_IMPL="shipping=go" runs a test's shop with those services on another implementation
// (the topology's `impl`), so any whole-shop test can be run against a Go service unchanged.
const pair = /^([a-z]+)=(node|go)$/;

/** The implementation per service that SHOP_TEST_IMPL names ("shipping=go,catalog=node"); {} when unset. */
export function implOverrides(env: NodeJS.ProcessEnv = process.env): Record<string, "node" | "go"> {
  const value = env["SHOP_TEST_IMPL"] ?? "";
  const overrides: Record<string, "node" | "go"> = {};
  for (const item of value.split(",").filter((s) => s !== "")) {
    const match = pair.exec(item.trim());
    if (match === null) throw new Error(`SHOP_TEST_IMPL: expected service=node or service=go, got "${item}"`);
    overrides[match[1] ?? ""] = match[2] as "node" | "go";
  }
  return overrides;
}
