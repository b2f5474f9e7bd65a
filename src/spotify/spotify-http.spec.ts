import { AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { spotifyHttpService } from './spotify-http';

/** An adapter that answers `status` with `body` and remembers the config axios handed it. */
function answering(status: number, body: string) {
  const seen: InternalAxiosRequestConfig[] = [];
  const adapter = (config: InternalAxiosRequestConfig): Promise<AxiosResponse<string>> => {
    seen.push(config);
    return Promise.resolve({ status, statusText: '', data: body, headers: { 'content-type': 'text/html' }, config });
  };
  return { adapter, seen };
}

describe('spotifyHttpService', () => {
  it('keeps only its own defaults, none of axios global ones', () => {
    const { adapter } = answering(200, '{}');
    const defaults = spotifyHttpService(adapter).axiosRef.defaults;

    expect(Object.keys(defaults).sort()).toEqual(['adapter', 'responseType', 'transformRequest', 'transformResponse', 'validateStatus']);
  });

  it('sends exactly the call headers and body, through the adapter', async () => {
    const { adapter, seen } = answering(200, '{"access_token":"at"}');
    const http = spotifyHttpService(adapter);

    await http.axiosRef.request({
      url: 'https://accounts.example/api/token',
      method: 'POST',
      data: 'grant_type=refresh_token&refresh_token=r',
      headers: { Authorization: 'Basic x', 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    });

    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('post');
    expect(seen[0].data).toBe('grant_type=refresh_token&refresh_token=r');
    expect(seen[0].headers.toJSON(true)).toEqual({
      Authorization: 'Basic x',
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    });
  });

  it.each([200, 400, 503])('hands back a %i answer untouched, as text, instead of throwing', async (status) => {
    const { adapter } = answering(status, '<html>not json</html>');

    const answer = await spotifyHttpService(adapter).axiosRef.request({ url: 'https://accounts.example/api/token', method: 'POST', data: '' });

    expect(answer.status).toBe(status);
    expect(answer.data).toBe('<html>not json</html>');
    expect(answer.headers['content-type']).toBe('text/html');
  });
});
