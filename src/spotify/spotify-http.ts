import { HttpService } from '@nestjs/axios';
import axios, { AxiosAdapter, AxiosInstance } from 'axios';

/**
 * The `HttpService` Spotify calls go through: axios on `adapter`, with these options and no
 * others as the instance's defaults.
 *
 * `axios.create()` copies axios' global defaults into the instance (per-method header buckets,
 * JSON transforms, XSRF names, the http adapter's limits), and axios deep-merges an instance's
 * defaults into every call's config. None of them apply to a form POST through our adapter, yet
 * the merging was about 9 % of the instructions of a /refresh (README, Benchmark).
 */
export function spotifyHttpService(adapter: AxiosAdapter): HttpService {
  const instance = axios.create();
  replaceDefaults(instance, {
    adapter,
    // Spotify's answers are read as text and judged by `interpretTokenAnswer`: a non-JSON body
    // or any status is an answer to interpret, not an axios error.
    responseType: 'text',
    transformRequest: [],
    transformResponse: [],
    validateStatus: () => true,
  });
  return new HttpService(instance);
}

/** In place: axios reads the object it created, so assigning a new `defaults` would be ignored. */
function replaceDefaults(instance: AxiosInstance, defaults: Partial<AxiosInstance['defaults']>): void {
  const current = instance.defaults as unknown as Record<string, unknown>;
  for (const key of Object.keys(current)) delete current[key];
  Object.assign(current, defaults);
}
