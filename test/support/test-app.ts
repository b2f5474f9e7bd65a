import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'node:net';
import { AppModule, AppOptions } from '../../src/app.module';
import { APPLICATION_OPTIONS, configureApplication } from '../../src/app.setup';
import { Clock } from '../../src/common/clock';
import { RawEnvironment, validateEnvironment } from '../../src/config/environment';

export const TEST_CLIENT = { clientId: 'test-client-id', clientSecret: 'test-client-secret' };
export const TEST_SECRET = 'test-encryption-secret-0123456789abcdef';

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
}

/** Boots the real AppModule the way main.ts does (`env` validated, nothing from process.env), listening on a free port. */
export async function startTestApp(env: RawEnvironment, options: AppOptions = {}): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(validateEnvironment(env), options)] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(APPLICATION_OPTIONS);
  configureApplication(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** The environment of a service pointed at an emulator, for the given client. */
export function serviceEnvironment(accountsUrl: string, overrides: RawEnvironment = {}): RawEnvironment {
  return {
    NODE_ENV: 'test',
    CLIENT_ID: TEST_CLIENT.clientId,
    CLIENT_SECRET: TEST_CLIENT.clientSecret,
    SPOTIFY_ACCOUNTS_URL: accountsUrl,
    ENCRYPTION_SECRET: TEST_SECRET,
    CALLBACK_URL: 'myapp://callback,myapp://other-callback',
    UPSTREAM_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'silent',
    // Specs make hundreds of calls from 127.0.0.1; the rate-limit spec sets its own limit.
    RATE_LIMIT_PER_MINUTE: '100000',
    ...overrides,
  };
}

/** Runs `body` with the application's clock moved `byMs` ahead. */
export async function later<T>(service: TestApp, byMs: number, body: () => Promise<T>): Promise<T> {
  const clock = service.app.get(Clock, { strict: false });
  const moved = jest.spyOn(clock, 'now').mockReturnValue(Date.now() + byMs);
  try {
    return await body();
  } finally {
    moved.mockRestore();
  }
}
