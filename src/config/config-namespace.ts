import { registerAs } from '@nestjs/config';
import { EnvironmentVariables } from './environment';

/**
 * A `registerAs` namespace whose value is built from the environment validated once at start-up:
 * `AppModule.forRoot` hands that to `build`, so nothing reads process.env again. Providers inject
 * `KEY`, typed with `ConfigType<typeof namespace>`; the declaration itself is never called.
 */
export function configNamespace<T extends object>(name: string, settings: (env: EnvironmentVariables) => T) {
  const declaration = registerAs(name, (): T => {
    throw new Error(`The ${name} configuration is built by AppModule.forRoot, from the validated environment`);
  });
  return Object.assign(declaration, { build: (env: EnvironmentVariables) => registerAs(name, () => settings(env)) });
}
