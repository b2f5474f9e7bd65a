import { onStopSignal } from './health/stop-signals';
import './config/preload';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { APPLICATION_OPTIONS, configureApplication } from './app.setup';
import { browserSettings } from './config/browser.config';
import { ConfigurationError } from './config/configuration.error';
import { developmentDefaults, needsOfflineSpotify } from './config/development-defaults';
import { envFileProblems } from './config/env-file';
import { configurationWarnings, validateEnvironment } from './config/environment';
import { httpSettings } from './config/http.config';
import { spotifySettings } from './config/spotify.config';
import { drainAndClose } from './health/graceful-shutdown';
import { OfflineSpotify, startOfflineSpotify } from './emulator/offline-spotify';

async function bootstrap(): Promise<void> {
  // Validate before Nest starts: a bad environment must exit 1 with one message, not abort.
  const env = validateEnvironment(process.env, envFileProblems());
  const settings = httpSettings(env);

  let offline: OfflineSpotify | undefined;
  if (needsOfflineSpotify(env)) {
    offline = await startOfflineSpotify([browserSettings(env).redirectUri, ...spotifySettings(env).callbackUrls]);
  }
  const defaults = developmentDefaults(env, offline?.url);

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...env, ...defaults.variables }), {
    ...APPLICATION_OPTIONS,
    abortOnError: false,
  });
  configureApplication(app);
  const logger = app.get(Logger);
  await listen(app, settings.port);
  // After listening: a start that fails there must not first invite anyone to open its address.
  [...configurationWarnings(env), ...defaults.warnings].forEach((warning) => logger.warn(warning, 'Bootstrap'));
  logger.log(`Listening on port ${(app.getHttpServer().address() as AddressInfo).port}`, 'Bootstrap');

  // Our own handling, not enableShutdownHooks(): that re-raises the signal and the process
  // would die by signal instead of exiting 0 after a clean drain.
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received`, 'Shutdown');
    await drainAndClose(app, settings, logger);
    await offline?.stop();
    process.exit(0);
  };
  onStopSignal((signal) => void stop(signal));
}

/** Listens on `port`; a port that cannot be had is the operator's to fix, so it is told as configuration. */
async function listen(app: NestExpressApplication, port: number): Promise<void> {
  try {
    await app.listen(port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConfigurationError([`PORT ${port} is already in use by another program: stop it, or set PORT to a free port`]);
    if (code === 'EACCES') throw new ConfigurationError([`PORT ${port} needs privileges this process does not have: use a port above 1023`]);
    throw error;
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
