import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseTrustProxy, validateEnvironment } from '../src/config/environment';
import { httpSettings } from '../src/config/http.config';
import { SECRET_VARIABLES } from '../src/config/secret-files';

interface ComposeService {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  networks?: string[];
  read_only?: boolean;
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
}

const ROOT = join(__dirname, '..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const instances = Object.entries(compose.services).filter(([, service]) => service.build === '.');

describe('docker-compose.yml', () => {
  it('runs two instances built from the Dockerfile, Redis, and nginx in front of both', () => {
    expect(instances).toHaveLength(2);
    expect(compose.services.redis.image).toMatch(/^redis:/);
    const nginx = compose.services.nginx;
    expect(nginx.image).toMatch(/^nginx:/);
    expect(Object.keys(nginx.depends_on ?? {}).sort()).toEqual(instances.map(([name]) => name).sort());
    const config = readFileSync(join(ROOT, 'deploy', 'compose', 'nginx.conf'), 'utf8');
    expect(nginx.volumes).toContain('./deploy/compose/nginx.conf:/etc/nginx/conf.d/default.conf:ro');
    for (const [name] of instances) {
      expect(config).toContain(`server ${name}:5000`);
    }
    expect(config).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    // Behind the TLS front the README asks for, the browser's scheme is the front's, not nginx's own.
    expect(config).toMatch(/map \$http_x_forwarded_proto \$browser_scheme \{\s*default \$http_x_forwarded_proto;\s*"" \$scheme;\s*\}/);
    expect(config).toMatch(/proxy_set_header X-Forwarded-Proto \$browser_scheme;/);
    expect(config).toMatch(/keepalive \d+;/);
    // /callback?code=…&state=…: the access log has the path only, never the query.
    const format = config.match(/log_format token_swap ([^;]*);/)?.[1] ?? '';
    expect(format).toContain('$uri');
    expect(format).not.toMatch(/\$request[^_]|\$request_uri|\$args|\$query_string|\$arg_/);
    expect(config).toMatch(/access_log \S+ token_swap;/);
    // The service's router ignores case and a trailing slash, so the deny must too.
    const metricsLocation = new RegExp(config.match(/location ~\* (\S+) \{\s*deny all;/)?.[1] ?? '^$', 'i');
    for (const path of ['/metrics', '/METRICS', '/Metrics/']) expect(metricsLocation.test(path)).toBe(true);
    expect(metricsLocation.test('/metricsx')).toBe(false);
  });

  it('gives both instances the same secrets as files, and the same Redis', () => {
    const [[, first], [, second]] = instances;
    expect(first.environment).toEqual(second.environment);
    expect(first.secrets).toEqual(second.secrets);
    const env = first.environment!;
    expect(env.NODE_ENV).toBe('production');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    for (const name of SECRET_VARIABLES.filter((name) => name !== 'REDIS_URL')) {
      expect(env).not.toHaveProperty(name);
    }
    expect(env.ENCRYPTION_SECRET_FILE).toBe('/run/secrets/encryption_secret');
    expect(env.CLIENT_SECRET_FILE).toBe('/run/secrets/client_secret');
    // A rotation needs the retired secret on both instances too.
    expect(env.ENCRYPTION_SECRET_PREVIOUS_FILE).toBe('/run/secrets/encryption_secret_previous');
    expect(first.secrets).toEqual(['client_secret', 'encryption_secret', 'encryption_secret_previous']);
    expect(Object.keys(compose.secrets).sort()).toEqual(['client_secret', 'encryption_secret', 'encryption_secret_previous']);
  });

  it('trusts X-Forwarded-* from the network nginx reaches the instances on, and no further', () => {
    const [[, instance]] = instances;
    const [network] = instance.networks!;
    expect(compose.services.nginx.networks).toContain(network);
    const [{ subnet }] = compose.networks[network].ipam.config;
    expect(instance.environment!.TRUST_PROXY).toBe(subnet);
    expect(parseTrustProxy(subnet)).toEqual([subnet]);
  });

  it('runs the instances read-only and lets them drain before they are killed', () => {
    const { shutdownGraceMs } = httpSettings(validateEnvironment({}));
    for (const [, instance] of instances) {
      expect(instance.read_only).toBe(true);
      expect(instance.stop_grace_period).toMatch(/^\d+s$/);
      expect(parseInt(instance.stop_grace_period!, 10) * 1000).toBeGreaterThan(shutdownGraceMs);
    }
  });
});
