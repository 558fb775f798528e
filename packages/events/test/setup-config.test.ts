// The broker setup's settings: what Compose and the Kubernetes Job give it is accepted, and a
// missing or malformed variable stops it with a message naming the variable.
import { describe, expect, it } from "@jest/globals";
import { ConfigError } from "@shopmesh/kit";
import { loadSetupConfig } from "../src/setup-config.js";

const complete = {
  BROKER_URL: "tls://broker:4222",
  BROKER_CA_FILE: "/etc/shopmesh/pki/ca.pem",
  BROKER_CERT_FILE: "/etc/shopmesh/pki/broker-admin/cert.pem",
  BROKER_KEY_FILE: "/etc/shopmesh/pki/broker-admin/key.pem",
  BROKER_LAYOUT_FILE: "/etc/shopmesh/broker/layout.json",
};

const without = (name: keyof typeof complete): Record<string, string> =>
  Object.fromEntries(Object.entries(complete).filter(([k]) => k !== name));

describe("the broker setup's config", () => {
  it("takes the broker, the admin's certificate and the layout file, and tries for two minutes by default", () => {
    expect(loadSetupConfig(complete)).toEqual({
      broker: {
        url: "tls://broker:4222",
        caFile: "/etc/shopmesh/pki/ca.pem",
        certFile: "/etc/shopmesh/pki/broker-admin/cert.pem",
        keyFile: "/etc/shopmesh/pki/broker-admin/key.pem",
      },
      layoutFile: "/etc/shopmesh/broker/layout.json",
      attempts: 120,
    });
  });

  it.each(["BROKER_URL", "BROKER_KEY_FILE", "BROKER_LAYOUT_FILE"] as const)("refuses to run without %s, naming it", (name) => {
    expect(() => loadSetupConfig(without(name))).toThrow(ConfigError);
    expect(() => loadSetupConfig(without(name))).toThrow(name);
  });

  it("refuses a broker URL that is not TLS and a relative layout path", () => {
    expect(() => loadSetupConfig({ ...complete, BROKER_URL: "nats://broker:4222" })).toThrow("BROKER_URL");
    expect(() => loadSetupConfig({ ...complete, BROKER_LAYOUT_FILE: "layout.json" })).toThrow("BROKER_LAYOUT_FILE");
  });
});
