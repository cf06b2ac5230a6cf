import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from "kubernetes-models/autoscaling/v2";
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1";
import { NetworkPolicy, type INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget, type IPodDisruptionBudget } from "kubernetes-models/policy/v1";
import {
  ConfigMap,
  Secret,
  Service,
  type IConfigMap,
  type ISecret,
  type IService,
} from "kubernetes-models/v1";
import request from "supertest";
import { parseAllDocuments } from "yaml";
import { readDatabaseSettings, SAMPLE_VARIABLES } from "../../routes/_lib/settings";
import { CONFIG_VARIABLES, loadConfig, trustsWholeChain } from "../../src/config";
import { buildTestApp } from "../helpers/app";
import { PROJECT_ROOT } from "../helpers/process";

const K8S_DIR = path.join(PROJECT_ROOT, "deploy", "k8s");

/** The models generated from Kubernetes' own OpenAPI document; each `validate()` checks against its JSON schema. */
const MODELS = {
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
} as const;

/** What `kubectl apply -f deploy/k8s/` reads: any other file there is not applied. */
const APPLIED = /\.(ya?ml|json)$/;
/** The Secret ships as a template that kubectl skips: no value in the repository can reach a cluster. */
const TEMPLATE = /\.yaml\.template$/;

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  body: Record<string, unknown>;
}

function readManifests(): Manifest[] {
  return readdirSync(K8S_DIR)
    .filter((file) => APPLIED.test(file) || TEMPLATE.test(file))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(K8S_DIR, file), "utf8")).map((doc) => {
        if (doc.errors.length > 0)
          throw new Error(`${file}: ${doc.errors.map((e) => e.message).join("; ")}`);
        const body = doc.toJS() as Record<string, unknown>;
        return { file, apiVersion: String(body.apiVersion), kind: String(body.kind), body };
      }),
    );
}

function validate(manifest: Pick<Manifest, "apiVersion" | "kind" | "body">): void {
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}` as keyof typeof MODELS];
  if (!Model)
    throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}: add it to MODELS`);
  new Model(manifest.body as never).validate();
}

const manifests = readManifests();

function only<T>(kind: string): T {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0].body as T;
}

const configMap = only<IConfigMap>("ConfigMap");
const secret = only<ISecret>("Secret");
const deployment = only<IDeployment>("Deployment");
const pod = deployment.spec?.template.spec;
const container = pod?.containers[0];

/** The server's configuration as the pods get it: the ConfigMap, with a tokens file where the Secret would be mounted. */
function podConfig() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-k8s-"));
  try {
    const tokens = path.join(dir, "api_tokens");
    writeFileSync(tokens, "");
    return loadConfig({ ...configMap.data, API_TOKENS_FILE: tokens });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("deploy/k8s", () => {
  it.each(manifests.map((m) => [`${m.file}: ${m.kind}`, m] as const))(
    "%s is valid against the Kubernetes API schema",
    (_name, manifest) => {
      expect(() => validate(manifest)).not.toThrow();
    },
  );

  it("is checked by a validator that does refuse a wrong manifest", () => {
    const broken = structuredClone(deployment) as unknown as {
      spec: {
        replicas: unknown;
        template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } };
      };
    };
    broken.spec.replicas = "three";
    broken.spec.template.spec.containers[0].ports[0].containerPort = "http";
    expect(() =>
      validate({ apiVersion: "apps/v1", kind: "Deployment", body: broken as never }),
    ).toThrow(/spec\/replicas must be integer[\s\S]*containerPort must be integer/);
  });

  it("has a Deployment of 3 replicas, a Service, a PodDisruptionBudget, a HorizontalPodAutoscaler, a ConfigMap and a Secret", () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "HorizontalPodAutoscaler",
      "NetworkPolicy",
      "PodDisruptionBudget",
      "Secret",
      "Service",
    ]);
    expect(deployment.spec?.replicas).toBe(3);
    expect(deployment.spec?.strategy).toMatchObject({
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 0 },
    });
  });

  it("sets only variables the server's config schema (or the sample's database settings) reads, with values it accepts", () => {
    const names = [
      ...Object.keys(configMap.data ?? {}),
      ...(container?.env ?? []).map((env) => env.name),
    ];
    expect(
      names.filter((name) => !CONFIG_VARIABLES.includes(name) && !SAMPLE_VARIABLES.includes(name)),
    ).toEqual([]);
    expect(container?.envFrom).toEqual([{ configMapRef: { name: configMap.metadata?.name } }]);
    expect(() => podConfig()).not.toThrow();
  });

  it("probes the server's own health endpoints on the port it listens on", async () => {
    const config = podConfig();
    const http = container?.ports?.find((port) => port.name === "http");
    expect(http?.containerPort).toBe(config.port);
    expect(container?.ports).toHaveLength(1);
    const { startupProbe, readinessProbe, livenessProbe } = container ?? {};
    for (const probe of [startupProbe, readinessProbe, livenessProbe])
      expect(probe?.httpGet?.port).toBe("http");
    expect(readinessProbe?.httpGet?.path).toBe("/readyz");
    expect(livenessProbe?.httpGet?.path).toBe("/healthz");

    // The paths answer as the probes need: ready until draining, alive throughout.
    const { app, lifecycle } = await buildTestApp("production");
    for (const probe of [startupProbe, readinessProbe, livenessProbe])
      expect((await request(app).get(probe?.httpGet?.path ?? "")).status).toBe(200);
    lifecycle.draining = true;
    expect((await request(app).get(readinessProbe?.httpGet?.path ?? "")).status).toBe(503);
    expect((await request(app).get(livenessProbe?.httpGet?.path ?? "")).status).toBe(200);
  });

  it("sleeps in preStop as long as SHUTDOWN_DELAY_MS, and gives the delays and the drain time to finish before the kill", () => {
    const config = podConfig();
    const preStopMs = (container?.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    expect(preStopMs).toBeGreaterThan(0);
    expect(preStopMs).toBe(config.shutdownDelayMs);
    const graceMs = (pod?.terminationGracePeriodSeconds ?? 30) * 1000;
    expect(graceMs).toBeGreaterThan(
      preStopMs + config.shutdownDelayMs + config.server.shutdownTimeoutMs,
    );
  });

  it("runs as a non-root user on a read-only root filesystem, with resource requests and limits", () => {
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(container?.resources?.requests).toEqual({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container?.resources?.limits).toEqual(
      expect.objectContaining({ memory: expect.any(String) }),
    );
    expect(pod?.automountServiceAccountToken).toBe(false);
  });

  it("mounts API_TOKENS_FILE from the Secret", () => {
    const file = configMap.data?.API_TOKENS_FILE ?? "";
    const mount = container?.volumeMounts?.find((m) => m.mountPath === path.posix.dirname(file));
    expect(mount?.readOnly).toBe(true);
    const volume = pod?.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe(secret.metadata?.name);
    expect(Object.keys({ ...secret.stringData, ...secret.data })).toContain(
      path.posix.basename(file),
    );
    // Nothing token-like is shipped: an empty file refuses every protected request until you set yours.
    expect(secret.stringData?.api_tokens).toBe("");
  });

  it("gives every replica the one PostgreSQL server from the Secret: the embedded engine's file belongs to one host, on a writable folder", () => {
    const env = container?.env?.find((e) => e.name === "DATABASE_URL");
    expect(env?.valueFrom?.secretKeyRef).toEqual({
      name: secret.metadata?.name,
      key: "database_url",
    });
    const url = secret.stringData?.database_url ?? "";
    expect(readDatabaseSettings({ DATABASE_URL: url })).toEqual({ engine: "postgres", url });
    expect(Number(configMap.data?.WORKERS)).toBe(1);
  });

  it("ships the Secret as a template that `kubectl apply -f deploy/k8s/` skips, every other manifest as one it applies", () => {
    const files = readdirSync(K8S_DIR);
    expect(files.filter((file) => !APPLIED.test(file))).toEqual(["secret.yaml.template"]);
    expect(manifests.filter((m) => !APPLIED.test(m.file)).map((m) => m.kind)).toEqual(["Secret"]);
    // Copied and applied without editing: no token is accepted and no database password is real.
    expect(secret.stringData?.api_tokens).toBe("");
    expect(secret.stringData?.database_url).toMatch(/REPLACE_ME/);
  });

  it("lets only the ingress controller's namespace reach the pods, on the http port TRUST_PROXY's one hop belongs to", () => {
    const policy = only<INetworkPolicy>("NetworkPolicy");
    expect(policy.spec?.podSelector.matchLabels).toEqual(
      deployment.spec?.template.metadata?.labels,
    );
    expect(policy.spec?.policyTypes).toEqual(["Ingress"]);
    expect(policy.spec?.ingress).toHaveLength(1);
    const [rule] = policy.spec?.ingress ?? [];
    expect(rule.from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
    ]);
    expect(rule.ports).toEqual([{ protocol: "TCP", port: "http" }]);
    const config = podConfig();
    expect(config.trustProxy).toBe(1);
    expect(trustsWholeChain(config.trustProxy)).toBe(false);
  });

  it("points the Service, the PodDisruptionBudget and the autoscaler at the Deployment's pods", () => {
    const labels = deployment.spec?.template.metadata?.labels;
    expect(deployment.spec?.selector.matchLabels).toEqual(labels);
    const service = only<IService>("Service");
    expect(service.spec?.selector).toEqual(labels);
    expect(service.spec?.ports?.map((p) => p.targetPort)).toEqual(["http"]);
    const pdb = only<IPodDisruptionBudget>("PodDisruptionBudget");
    expect(pdb.spec?.selector?.matchLabels).toEqual(labels);
    const hpa = only<IHorizontalPodAutoscaler>("HorizontalPodAutoscaler");
    expect(hpa.spec?.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: deployment.metadata?.name,
    });
    expect(hpa.spec?.minReplicas).toBe(deployment.spec?.replicas);
    // A voluntary disruption may always take one pod: the budget stays below the smallest replica count.
    expect(Number(pdb.spec?.minAvailable)).toBeLessThan(hpa.spec?.minReplicas ?? 0);
  });
});
