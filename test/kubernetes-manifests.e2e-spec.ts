import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, IContainer, Secret, Service } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { validateEnvironment } from '../src/config/environment';
import { httpSettings } from '../src/config/http.config';
import { SECRET_VARIABLES } from '../src/config/secret-files';

const DIR = join(__dirname, '..', 'deploy', 'kubernetes');
const MODELS = [Deployment, Service, ConfigMap, Secret, PodDisruptionBudget, HorizontalPodAutoscaler];
const manifestFiles = readdirSync(DIR).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
/** In a folder of its own: `kubectl apply -f deploy/kubernetes` must not overwrite the real Secret with placeholders. */
const EXAMPLE_SECRET = 'example/secret.yaml';

const readYaml = (file: string): unknown => parse(readFileSync(join(DIR, file), 'utf8'));

/** The manifest in `file`, as the model of its kind, after validation against the Kubernetes schema. */
function manifest<T extends { validate(): void }>(Model: new (data: Record<string, unknown>) => T, file: string): T {
  const resource = new Model(readYaml(file) as Record<string, unknown>);
  resource.validate();
  return resource;
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const deployment = manifest(Deployment, 'deployment.yaml');
  const configMap = manifest(ConfigMap, 'configmap.yaml');
  const exampleSecret = manifest(Secret, EXAMPLE_SECRET);
  const pod = deployment.spec!.template.spec!;
  const podLabels = deployment.spec!.template.metadata!.labels!;
  const container: IContainer = pod.containers[0];
  const env = Object.fromEntries((container.env ?? []).map(({ name, value }) => [name, value]));
  const secretMount = container.volumeMounts!.find((mount) => mount.name === 'secrets')!;
  // What the service makes of the ConfigMap, through its own validation and defaults.
  const settings = httpSettings(
    validateEnvironment({ ...configMap.data, CLIENT_SECRET: 'client-secret', ENCRYPTION_SECRET: 'e'.repeat(32) }),
  );

  it.each([...manifestFiles, EXAMPLE_SECRET])('%s is valid against the Kubernetes schema of its kind', (file) => {
    const data = readYaml(file);
    const Model = MODELS.find((model) => model.is(data));
    if (Model === undefined) throw new Error(`${file}: no Kubernetes model for kind ${(data as { kind?: string }).kind}`);
    expect(() => new Model(data as never).validate()).not.toThrow();
  });

  it('applies every manifest with kubectl apply -k, and keeps the example Secret out of the folder kubectl apply -f reads', () => {
    const { resources } = readYaml('kustomization.yaml') as { resources: string[] };
    expect([...resources].sort()).toEqual([...manifestFiles].sort());
    expect(manifestFiles.some((file) => (readYaml(file) as { kind?: string }).kind === 'Secret')).toBe(false);
  });

  it('runs at least two replicas, scaled on CPU, disrupted one pod at a time, spread over nodes and zones', () => {
    const autoscaler = manifest(HorizontalPodAutoscaler, 'horizontalpodautoscaler.yaml');
    const budget = manifest(PodDisruptionBudget, 'poddisruptionbudget.yaml');
    // Left to the autoscaler: a count here would undo its scaling on every apply.
    expect(deployment.spec!.replicas).toBeUndefined();
    expect(autoscaler.spec!.minReplicas).toBeGreaterThanOrEqual(2);
    expect(autoscaler.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata!.name });
    expect(autoscaler.spec!.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } },
    ]);
    expect(budget.spec!.maxUnavailable).toBe(1);
    expect(budget.spec!.minAvailable).toBeUndefined();
    expect(deployment.spec!.template.spec!.topologySpreadConstraints!.map((constraint) => constraint.topologyKey)).toEqual([
      'kubernetes.io/hostname',
      'topology.kubernetes.io/zone',
    ]);
    expect(budget.spec!.selector!.matchLabels).toEqual(podLabels);
    expect(deployment.spec!.selector.matchLabels).toEqual(podLabels);
  });

  it('routes the Service to the port the service listens on', () => {
    const service = manifest(Service, 'service.yaml');
    expect(service.spec!.selector).toEqual(podLabels);
    const port = container.ports!.find((candidate) => candidate.name === service.spec!.ports![0].targetPort)!;
    expect(port.containerPort).toBe(settings.port);
  });

  it('probes liveness at /health and readiness at /health/ready', () => {
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.startupProbe!.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/health/ready', port: 'http' });
  });

  it('pauses before SIGTERM and gives the drain more than SHUTDOWN_GRACE_MS before SIGKILL', () => {
    const preStopMs = container.lifecycle!.preStop!.sleep!.seconds * 1000;
    expect(preStopMs).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(preStopMs + settings.shutdownGraceMs);
  });

  it('sets CPU and memory requests and limits', () => {
    for (const bound of [container.resources!.requests!, container.resources!.limits!]) {
      expect(Object.keys(bound).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('consumes every secret as a file from the mounted Secret, never as a value', () => {
    const secretVolume = pod.volumes!.find((volume) => volume.name === secretMount.name)!;
    expect(secretVolume.secret!.secretName).toBe(exampleSecret.metadata!.name);
    expect(secretMount.readOnly).toBe(true);
    expect(container.envFrom!.every((source) => source.secretRef === undefined)).toBe(true);
    expect((container.env ?? []).every((variable) => variable.valueFrom === undefined)).toBe(true);
    for (const name of SECRET_VARIABLES) {
      expect(env).not.toHaveProperty(name);
      expect(configMap.data).not.toHaveProperty(name);
    }
    const files = Object.entries(env).filter(([name]) => name.endsWith('_FILE'));
    expect(files.map(([name]) => name)).toEqual(
      expect.arrayContaining(['CLIENT_SECRET_FILE', 'ENCRYPTION_SECRET_FILE', 'REDIS_URL_FILE']),
    );
    for (const [, path] of files) {
      expect(posix.dirname(path!)).toBe(secretMount.mountPath);
      expect(Object.keys(exampleSecret.stringData!)).toContain(posix.basename(path!));
    }
  });

  it('ships an example Secret whose placeholders cannot start the service', () => {
    const attempt = () =>
      validateEnvironment({
        ...configMap.data,
        CLIENT_SECRET: exampleSecret.stringData!['client-secret'],
        ENCRYPTION_SECRET: exampleSecret.stringData!['encryption-secret'],
      });
    expect(attempt).toThrow(/ENCRYPTION_SECRET must be at least 32 characters/);
  });

  it('runs non-root, read-only, without privileges or a service account token', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    // Secret files readable by the service's group only.
    expect(pod.volumes!.find((volume) => volume.name === secretMount.name)!.secret!.defaultMode).toBe(0o440);
    expect(pod.securityContext!.fsGroup).toBe(pod.securityContext!.runAsGroup);
  });

  it('configures production behind a proxy', () => {
    expect(settings.production).toBe(true);
    expect(settings.trustProxy).not.toBe(false);
  });
});
