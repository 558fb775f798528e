// The broker as Compose and Kubernetes run it: the configuration each mounts passes nats-server's
// own check with certificates issued for the containers' names; every file the broker, its setup
// and its clients are told to read is mounted from what `make compose-secrets` or `make k8s-secrets`
// renders; and, in a network namespace of the test's own, the broker with the configuration each
// mounts, the setup with its environment and the services' own configs of theirs carry an event
// from order to each consumer.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { X509Certificate } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueCertificates, loadTopology, type Workload } from "@shopmesh/mesh";
import { parse } from "yaml";
import {
  brokerPaths,
  composeSecretsDir,
  composeWorkloads,
  containerFiles,
  kubernetesWorkloads,
  renderComposeSecrets,
  renderKubernetesSecrets,
  repoRoot,
} from "../src/index.js";
import { type Doc, field, list, yamlDocuments } from "./documents.js";
import { pinnedTool, run } from "./tools.js";

const topology = loadTopology(join(repoRoot, "deploy", "topology.yaml"));
const composeServices = (): Record<string, unknown> =>
  field(parse(readFileSync(join(repoRoot, "deploy", "compose", "compose.yaml"), "utf8")), "services") as Record<string, unknown>;
const k8s = (path: string): Doc[] => yamlDocuments(readFileSync(join(repoRoot, "deploy", "k8s", path), "utf8"));

const renderings = {
  Compose: { config: join(repoRoot, "deploy", "compose", "broker", "nats.json"), workloads: composeWorkloads },
  Kubernetes: { config: join(repoRoot, "deploy", "k8s", "base", "broker", "nats.json"), workloads: kubernetesWorkloads },
} as const satisfies Record<string, { config: string; workloads: (t: typeof topology) => Workload[] }>;

/** A container's path pointed at the local copy of what it mounts. */
function local(text: string, dir: string): string {
  return text.replaceAll(`"${containerFiles.pkiDir}/`, `"${dir}/pki/`).replaceAll(`"${brokerPaths.dataDir}/`, `"${dir}/data/`);
}

/** Writes fake signing keys (their content is not what these tests check) so the secrets render. */
function withKeys(dir: string): string {
  mkdirSync(join(dir, "keys"), { recursive: true });
  writeFileSync(join(dir, "keys", "jwt-es256.pem"), "signing key\n");
  writeFileSync(join(dir, "keys", "jwks.json"), '{"keys":[]}\n');
  return dir;
}

describe("the broker's configuration", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-broker-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(renderings) as (keyof typeof renderings)[])(
    "that %s mounts passes nats-server -t with certificates issued for the containers' names",
    async (name) => {
      const rendering = renderings[name];
      const work = join(dir, name);
      await issueCertificates(rendering.workloads(topology), { dir: join(work, "pki") });
      const config = readFileSync(rendering.config, "utf8");
      expect(field(JSON.parse(config), "host")).toBe("0.0.0.0");
      writeFileSync(join(work, "nats.json"), local(config, work));
      const result = await run(pinnedTool("nats-server"), ["--config", join(work, "nats.json"), "-t"]);
      expect([result.code, result.stdout + result.stderr]).toEqual([0, expect.stringContaining("is valid")]);
      // Its clients reach it by name: the certificate says that name, and the broker's SPIFFE ID.
      const certificate = new X509Certificate(readFileSync(join(work, "pki", "broker", "cert.pem")));
      expect(certificate.subjectAltName?.split(", ")).toEqual(
        expect.arrayContaining(["DNS:broker", `URI:${topology.broker?.identity ?? "a broker identity"}`]),
      );
      // The same check fails when what it names is missing (it can fail).
      rmSync(join(work, "pki", "broker"), { recursive: true });
      const missing = await run(pinnedTool("nats-server"), ["--config", join(work, "nats.json"), "-t"]);
      expect(missing.code).not.toBe(0);
    },
  );
});

describe("the files the broker, its setup and its clients read", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "shopmesh-broker-files-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are mounted in Compose from what `make compose-secrets` renders or the repository holds", async () => {
    const secrets = withKeys(join(dir, "compose"));
    await renderComposeSecrets(topology, secrets);
    const services = composeServices();
    const readers = [
      "broker",
      "broker-setup",
      ...topology.services.filter((s) => s.consumes.length + s.publishes.length > 0).flatMap((s) => s.replicas.map((r) => r.name)),
    ];
    for (const name of readers) {
      const mounts = list(field(services, `${name}.volumes`)).map((v) => String(v).split(":"));
      const env = (field(services, `${name}.environment`) ?? {}) as Record<string, string>;
      const config =
        name === "broker"
          ? (JSON.parse(readFileSync(join(repoRoot, "deploy", "compose", "broker", "nats.json"), "utf8")) as unknown)
          : undefined;
      const wanted =
        config === undefined
          ? Object.entries(env)
              .filter(([k]) => k.endsWith("_FILE"))
              .map(([, v]) => v)
          : [field(config, "tls.cert_file"), field(config, "tls.key_file"), field(config, "tls.ca_file"), brokerPaths.config].map(String);
      expect(wanted.length).toBeGreaterThan(2);
      for (const path of wanted) {
        const mount = mounts.find(([, target]) => target !== undefined && (path === target || path.startsWith(`${target}/`)));
        const [source = "", target = ""] = mount ?? [];
        const onHost = source.startsWith(`${composeSecretsDir}/`)
          ? join(secrets, source.slice(composeSecretsDir.length + 1), path.slice(target.length))
          : join(repoRoot, "deploy", "compose", source, path.slice(target.length));
        expect([name, path, mount !== undefined && existsSync(onHost)]).toEqual([name, path, true]);
      }
    }
  });

  it("are mounted in Kubernetes from Secrets and keys `make k8s-secrets` renders", async () => {
    const secrets = withKeys(join(dir, "k8s"));
    const [secretsPath = ""] = await renderKubernetesSecrets(topology, secrets);
    const keys = new Set(
      yamlDocuments(readFileSync(secretsPath, "utf8")).flatMap((d) =>
        Object.keys((d["stringData"] ?? {}) as object).map((k) => `${String(field(d, "metadata.name"))}:${k}`),
      ),
    );
    const pods = [
      ...k8s("base/broker.yaml").filter((d) => d["kind"] === "StatefulSet" || d["kind"] === "Job"),
      ...topology.services
        .filter((s) => s.consumes.length + s.publishes.length > 0)
        .flatMap((s) => k8s(`base/${s.name}.yaml`).filter((d) => d["kind"] === "Deployment")),
    ];
    expect(pods.length).toBe(5);
    const brokerConfig = JSON.parse(readFileSync(join(repoRoot, "deploy", "k8s", "base", "broker", "nats.json"), "utf8")) as unknown;
    for (const pod of pods) {
      const container = field(pod, "spec.template.spec.containers.0");
      const volumes = list(field(pod, "spec.template.spec.volumes"));
      const files = new Map<string, string>();
      for (const mount of list(field(container, "volumeMounts"))) {
        const volume = volumes.find((v) => field(v, "name") === field(mount, "name"));
        for (const source of list(field(volume, "projected.sources")))
          for (const item of list(field(source, "secret.items")))
            files.set(
              `${String(field(mount, "mountPath"))}/${String(field(item, "path"))}`,
              `${String(field(source, "secret.name"))}:${String(field(item, "key"))}`,
            );
      }
      const env = list(field(container, "env")).filter(
        (v) =>
          String(field(v, "name")).startsWith("BROKER_") &&
          String(field(v, "name")).endsWith("_FILE") &&
          field(v, "name") !== "BROKER_LAYOUT_FILE",
      );
      const wanted =
        field(pod, "kind") === "StatefulSet"
          ? [field(brokerConfig, "tls.cert_file"), field(brokerConfig, "tls.key_file"), field(brokerConfig, "tls.ca_file")].map(String)
          : env.map((v) => String(field(v, "value")));
      expect(wanted.length).toBe(3);
      const name = String(field(pod, "metadata.name"));
      for (const path of wanted) expect([name, path, keys.has(files.get(path) ?? "")]).toEqual([name, path, true]);
    }
  });
});

/** A container's environment in the cluster: Secrets and the pod's name are stand-ins here. */
function podEnv(doc: Doc | undefined): Record<string, string> {
  const variables = list(field(doc, "spec.template.spec.containers.0.env"));
  return Object.fromEntries(
    variables.map((v) => [
      String(field(v, "name")),
      String(field(v, "value") ?? (field(v, "valueFrom.secretKeyRef") !== undefined ? "k".repeat(43) : "pod")),
    ]),
  );
}

interface PodRendering {
  readonly dir: string;
  readonly workloads: (t: typeof topology) => Workload[];
  /** The environment of the setup ("broker-setup") or a service's container. */
  readonly env: (name: string) => Record<string, string>;
}

const podRenderings: Readonly<Record<string, PodRendering>> = {
  Compose: {
    dir: join(repoRoot, "deploy", "compose", "broker"),
    workloads: composeWorkloads,
    env: (name) => ({
      ...(field(composeServices(), `${name}.environment`) as Record<string, string>),
      ...(name === "broker-setup" ? {} : { PAGE_TOKEN_SECRET: "k".repeat(43) }),
    }),
  },
  Kubernetes: {
    dir: join(repoRoot, "deploy", "k8s", "base", "broker"),
    workloads: kubernetesWorkloads,
    env: (name) =>
      name === "broker-setup"
        ? podEnv(k8s("base/broker.yaml").find((d) => d["kind"] === "Job"))
        : podEnv(k8s(`base/${name}.yaml`).find((d) => d["kind"] === "Deployment")),
  },
};

describe("events in a network namespace", () => {
  it.each(Object.keys(podRenderings))(
    "go from order to each consumer through the broker and setup %s runs, with the services' own configs",
    async (name) => {
      pinnedTool("nats-server");
      const rendering = podRenderings[name] as PodRendering;
      const work = mkdtempSync(join(tmpdir(), "shopmesh-broker-pod-"));
      const pki = join(work, "pki");
      await issueCertificates(rendering.workloads(topology), { dir: pki });
      writeFileSync(join(work, "nats.json"), local(readFileSync(join(rendering.dir, "nats.json"), "utf8"), work));
      cpSync(join(rendering.dir, "layout.json"), join(work, "layout.json"));
      // The containers' paths pointed at the local copies of what they mount.
      const localEnv = (container: string): Record<string, string> =>
        Object.fromEntries(
          Object.entries(rendering.env(container)).map(([k, v]) => [
            k,
            v.replace(`${containerFiles.pkiDir}/`, `${pki}/`).replace(brokerPaths.layout, join(work, "layout.json")),
          ]),
        );
      const setup = localEnv("broker-setup");
      writeFileSync(join(work, "broker-setup.env.json"), JSON.stringify(setup));
      writeFileSync(
        join(work, "broker-setup.env"),
        `${Object.entries(setup)
          .map(([k, v]) => `${k}='${v}'`)
          .join("\n")}\n`,
      );
      for (const service of ["order", "inventory", "notification"])
        writeFileSync(join(work, `${service}.env.json`), JSON.stringify(localEnv(service)));

      const script = join(repoRoot, "packages", "deploy", "test", "broker-pod.sh");
      const result = await run("unshare", ["--net", "--mount", "--", "bash", script, work, repoRoot]);
      if (result.code !== 0) throw new Error(`the broker's pod failed (unshare needs root):\n${result.stderr}`);
      expect(JSON.parse(result.stdout)).toEqual({
        streams: ["INVENTORY_DEAD_LETTERS", "NOTIFICATION_DEAD_LETTERS", "ORDER_EVENTS"],
        consumers: ["inventory", "notification"],
        published: "ORDER_EVENTS",
        received: { notification: "shop.order.v1.OrderConfirmed", inventory: "shop.order.v1.OrderConfirmed" },
      });
      expect(readFileSync(join(work, "setup.log"), "utf8")).toContain("broker set up");
      rmSync(work, { recursive: true, force: true });
    },
    90_000,
  );
});
