import Ajv2020 from 'ajv/dist/2020';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { SpotifyEmulator } from '../src/emulator/spotify-emulator';
import { OPENAPI_ENVIRONMENT, OPENAPI_FILE, renderOpenApi } from '../src/openapi/openapi-file';
import { MOBILE_CALLBACK, startEmulator } from './support/emulator';
import { BrowserLogin } from './support/login-flow';
import { serviceEnvironment, startTestApp, TEST_CLIENT, TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const committed = JSON.parse(readFileSync(join(ROOT, OPENAPI_FILE), 'utf8'));

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

describe('OpenAPI description', () => {
  it('matches the code: the committed openapi.json is what `npm run openapi` generates now', async () => {
    const service = await startTestApp(OPENAPI_ENVIRONMENT);
    try {
      expect(JSON.parse(renderOpenApi(service.app))).toEqual(committed);
    } finally {
      await service.close();
    }
  });

  it('lints with zero errors (Redocly recommended rules)', () => {
    const lint = spawnSync(join(ROOT, 'node_modules', '.bin', 'redocly'), ['lint', OPENAPI_FILE, '--format=stylish'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(lint.stdout + lint.stderr).toContain('Your API description is valid');
    expect(lint.status).toBe(0);
  }, 90_000);

  it.each([
    ['/api/token', 'post'],
    ['/refresh', 'post'],
    ['/login', 'get'],
    ['/callback', 'get'],
    ['/health/ready', 'get'],
    ['/metrics', 'get'],
  ])('describes %s with a summary and a success answer', (path, method) => {
    const operation = committed.paths[path]?.[method];
    expect(operation?.summary).toMatch(/\w{3,}/);
    expect(Object.keys(operation?.responses ?? {}).some((status) => /^[23]\d\d$/.test(status))).toBe(true);
  });

  it('describes both body types and every field of the token routes', () => {
    const swap = committed.paths['/swap'].post;
    expect(Object.keys(swap.requestBody.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    const schema = committed.components.schemas.SwapRequestDto;
    expect(Object.keys(schema.properties).sort()).toEqual(['code', 'code_verifier', 'redirect_uri']);
    expect(schema.required).toEqual(['code']);
    expect(Object.keys(swap.responses).sort()).toEqual(['200', '400', '401', '413', '429', '500', '501', '502', '504']);
    expect(Object.keys(swap.responses['429'].headers)).toContain('Retry-After');
    expect(Object.keys(swap.responses['200'].headers)).toEqual(expect.arrayContaining(['Cache-Control', 'X-Request-Id']));
  });
});

describe('/openapi.json and /docs', () => {
  let emulator: SpotifyEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it.each<[string, number, Record<string, string>]>([
    ['API_DOCS=on', 200, { API_DOCS: 'on' }],
    ['API_DOCS=off', 404, { API_DOCS: 'off' }],
    ['API_DOCS unset outside production', 200, { NODE_ENV: 'development' }],
    ['API_DOCS unset in production', 404, { NODE_ENV: 'production' }],
  ])('serves the description always, and the interactive page with %s → %i', async (_case, docsStatus, overrides) => {
    const service = await startTestApp(serviceEnvironment(emulator.url, overrides));
    try {
      const description = await request(service.url).get('/openapi.json');
      expect(description.status).toBe(200);
      expect(description.body.paths['/swap']).toEqual(committed.paths['/swap']);
      const docs = await request(service.url).get('/docs');
      expect(docs.status).toBe(docsStatus);
      if (docsStatus === 200) expect(docs.headers['content-type']).toMatch(/text\/html/);
    } finally {
      await service.close();
    }
  });
});

describe('Real answers conform to the description', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(committed, 'openapi');
  let emulator: SpotifyEmulator;
  let service: TestApp;
  const FINAL_URI = 'https://app.example.com/';

  beforeAll(async () => {
    emulator = await startEmulator({ autoApprove: true });
    emulator.registerRedirectUri(TEST_CLIENT.clientId, 'https://swap.example.com/callback');
    service = await startTestApp(
      serviceEnvironment(emulator.url, { FINAL_URI, REDIRECT_URI: 'https://swap.example.com/callback', UPSTREAM_TIMEOUT_MS: '2000' }),
    );
  });
  afterAll(async () => {
    await service.close();
    await emulator.stop();
  });

  /** Asserts the answer's status is described for the operation and its JSON body fits the schema. */
  function expectDescribed(path: string, method: string, response: request.Response): void {
    const operation = committed.paths[path]?.[method] as Operation | undefined;
    expect({ path, method, described: operation !== undefined }).toEqual({ path, method, described: true });
    const described = operation!.responses[String(response.status)];
    expect({ path, status: response.status, described: described !== undefined }).toEqual({ path, status: response.status, described: true });
    const schema = described.content?.['application/json']?.schema;
    if (schema && response.headers['content-type']?.startsWith('application/json')) {
      const validate = ajv.compile({ $ref: `openapi#/paths/${path.replaceAll('/', '~1')}/${method}/responses/${response.status}/content/application~1json/schema` });
      expect({ path, status: response.status, valid: validate(response.body), errors: validate.errors }).toMatchObject({ valid: true });
    }
  }

  it('every status the token, login and operations routes produce', async () => {
    const http = () => request(service.url);
    const code = () => emulator.mintCode({ redirectUri: MOBILE_CALLBACK });
    const swapped = await http().post('/swap').type('form').send({ code: code() });
    const sealed = swapped.body.refresh_token as string;
    const answers: Array<[string, string, request.Response]> = [
      ['/swap', 'post', swapped],
      ['/api/token', 'post', await http().post('/api/token').send({ code: code() })],
      ['/refresh', 'post', await http().post('/refresh').type('form').send({ refresh_token: sealed })],
      ['/api/refresh_token', 'post', await http().post('/api/refresh_token').send({ refresh_token: sealed })],
      ['/swap', 'post', await http().post('/swap').send({})],
      ['/swap', 'post', await http().post('/swap').send({ code: 'x'.repeat(20_000) })],
      ['/swap', 'post', await http().post('/swap').send({ code: 'used-or-unknown' })],
      ['/refresh', 'post', await http().post('/refresh').send({ refresh_token: 'tampered' })],
      ['/login', 'get', await http().get('/login')],
      ['/login', 'get', await http().get('/login?scope=not-a-scope')],
      ['/login', 'get', await http().get('/login?return_to=https://evil.example.com/')],
      ['/callback', 'get', await http().get('/callback?code=x&state=y')],
      ['/health', 'get', await http().get('/health')],
      ['/health/ready', 'get', await http().get('/health/ready')],
      ['/metrics', 'get', await http().get('/metrics')],
    ];
    for (const [fault, status] of [
      [{ kind: 'rate-limit', retryAfterSeconds: 2 }, 429],
      [{ kind: 'status', status: 500 }, 502],
      [{ kind: 'hang' }, 504],
    ] as const) {
      emulator.injectFault(fault);
      const response = await http().post('/refresh').send({ refresh_token: sealed });
      expect(response.status).toBe(status);
      answers.push(['/refresh', 'post', response]);
    }
    for (const [path, method, response] of answers) expectDescribed(path, method, response);
    expect(new Set(answers.map(([, , response]) => response.status))).toEqual(new Set([200, 302, 400, 413, 429, 502, 504]));
  });

  it('every status the session routes produce, in both modes', async () => {
    const answers: Array<[string, string, request.Response]> = [
      ['/token', 'get', await request(service.url).get('/token').set('X-Requested-With', 'fetch')],
      ['/logout', 'post', await request(service.url).post('/logout').set('X-Requested-With', 'fetch')],
    ];
    const sessionService = await startTestApp(
      serviceEnvironment(emulator.url, { FINAL_URI, REDIRECT_URI: 'https://swap.example.com/callback', BROWSER_MODE: 'session' }),
    );
    try {
      const login = new BrowserLogin(sessionService.url);
      expect((await login.run()).status).toBe(302);
      const withSession = (call: request.Test) => call.set('Cookie', login.jar.header());
      answers.push(
        ['/token', 'get', await withSession(request(sessionService.url).get('/token')).set('X-Requested-With', 'fetch')],
        ['/token', 'get', await withSession(request(sessionService.url).get('/token'))],
        ['/token', 'get', await request(sessionService.url).get('/token').set('X-Requested-With', 'fetch')],
        ['/logout', 'post', await withSession(request(sessionService.url).post('/logout')).set('X-Requested-With', 'fetch')],
        ['/logout', 'post', await withSession(request(sessionService.url).post('/logout')).set('Origin', 'https://evil.example.com')],
      );
    } finally {
      await sessionService.close();
    }
    for (const [path, method, response] of answers) expectDescribed(path, method, response);
    expect(answers.map(([, , response]) => response.status)).toEqual([501, 501, 200, 403, 401, 204, 403]);
  });
});
