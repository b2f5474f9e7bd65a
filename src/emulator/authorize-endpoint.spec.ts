import { AuthorizeEndpoint, normaliseScope } from './authorize-endpoint';
import { ClientRegistry } from './client-registry';
import type { EmulatorReply } from './emulator.types';
import { CODE_TTL_MS, GrantStore } from './grant.store';

describe('normaliseScope', () => {
  it.each([
    [undefined, ''],
    [null, ''],
    ['', ''],
    ['user-read-email', 'user-read-email'],
    ['  user-read-email \t streaming\n', 'user-read-email streaming'],
  ])('%p becomes %p', (input, expected) => {
    expect(normaliseScope(input)).toBe(expected);
  });
});

describe('AuthorizeEndpoint', () => {
  let time: number;
  let endpoint: AuthorizeEndpoint;

  beforeEach(() => {
    time = 0;
    const clients = new ClientRegistry([{ clientId: 'app', clientSecret: 's', redirectUris: ['http://127.0.0.1:1/cb?x=1'] }]);
    endpoint = new AuthorizeEndpoint(clients, new GrantStore(() => time), { autoApprove: false }, () => time);
  });

  const requestToken = (reply: EmulatorReply) =>
    reply.type === 'html' ? (/name="request_token" value="([^"]+)"/.exec(reply.html)?.[1] ?? '') : '';
  const consent = () =>
    requestToken(
      endpoint.start(new URLSearchParams({ client_id: 'app', response_type: 'code', redirect_uri: 'http://127.0.0.1:1/cb?x=1', state: 's 1' })),
    );

  it.each([
    ['an unknown scope', 'user-read-email no-such-scope'],
    ['scopes joined by commas, which Spotify does not split', 'user-read-email,streaming'],
  ])('answers %s with an error page, as Spotify does, and sends nothing to the app', (_case, scope) => {
    const reply = endpoint.start(new URLSearchParams({ client_id: 'app', response_type: 'code', redirect_uri: 'http://127.0.0.1:1/cb?x=1', scope }));
    expect(reply).toMatchObject({ type: 'html', status: 400 });
    expect(reply.type === 'html' && reply.html).toContain('Illegal scope');
  });

  it('asks consent for known scopes', () => {
    const reply = endpoint.start(
      new URLSearchParams({ client_id: 'app', response_type: 'code', redirect_uri: 'http://127.0.0.1:1/cb?x=1', scope: 'user-read-email  streaming' }),
    );
    expect(reply.type === 'html' && reply.html).toContain('streaming');
    expect(requestToken(reply)).not.toBe('');
  });

  it('redirects the decision to the registered URI, keeping its query and the state', () => {
    const reply = endpoint.decide({ request_token: consent(), decision: 'deny' });
    expect(reply).toEqual({ type: 'redirect', location: 'http://127.0.0.1:1/cb?x=1&error=access_denied&state=s+1' });
  });

  it.each([
    ['ten minutes less a millisecond', CODE_TTL_MS - 1, 'redirect'],
    ['ten minutes', CODE_TTL_MS, 'html'],
  ])('takes a decision %s after the page was shown: %s', (_case, elapsed, type) => {
    const token = consent();
    time += elapsed;
    expect(endpoint.decide({ request_token: token, decision: 'approve' }).type).toBe(type);
  });

  it('refuses a decision other than approve or deny, and burns the request', () => {
    const token = consent();
    const first = endpoint.decide({ request_token: token, decision: 'maybe' });
    expect(first).toMatchObject({ type: 'html', status: 400 });
    expect(first.type === 'html' && first.html).toContain('decision must be approve or deny');
    expect(endpoint.decide({ request_token: token, decision: 'approve' })).toMatchObject({ status: 400 });
  });
});
