import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { APPLICATION_OPTIONS, configureApplication } from './app.setup';
import { ConfigurationError } from './config/configuration.error';
import { developmentDefaults, needsOfflineSpotify } from './config/development-defaults';
import { loadEnvFile } from './config/env-file';
import { parseList, validateEnvironment } from './config/environment';
import { httpSettings } from './config/http.config';
import { OfflineSpotify, startOfflineSpotify } from './offline-spotify';

const logger = new Logger('Bootstrap');

async function bootstrap(): Promise<void> {
  loadEnvFile();
  // Validate before Nest starts: a bad environment must exit 1 with one message, not abort.
  const env = validateEnvironment(process.env);
  const port = httpSettings(env).port;

  let offline: OfflineSpotify | undefined;
  if (needsOfflineSpotify(env)) {
    offline = await startOfflineSpotify([`http://127.0.0.1:${port}/callback`, ...parseList(env.CALLBACK_URL ?? env.CALLBACK_URI)]);
  }
  const defaults = developmentDefaults(env, offline?.url);
  Object.assign(process.env, defaults.variables);
  defaults.warnings.forEach((warning) => logger.warn(warning));

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
    ...APPLICATION_OPTIONS,
    abortOnError: false,
  });
  configureApplication(app);
  await app.listen(port);
  logger.log(`Listening on port ${(app.getHttpServer().address() as AddressInfo).port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: shutting down`);
    await app.close();
    await offline?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
