import { SpotifyTokens } from '../spotify/spotify-tokens';
import { parseSession, refreshDue, renewSession, serializeSession, Session, sessionExpired, startSession, tokenAnswer } from './session';

const NOW = 1_700_000_000_000;
const session: Session = { refresh_token: 'r'.repeat(40), access_token: 'a'.repeat(40), expires_at: NOW + 3_600_000, scope: 'streaming', renewed_at: NOW };
const THIRTY_DAYS_MS = 30 * 86_400_000;
const tokens = (overrides: Partial<SpotifyTokens> = {}): SpotifyTokens => ({
  access_token: 'new-access',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'user-read-private',
  refresh_token: 'new-refresh',
  ...overrides,
});

describe('session (the session cookie plaintext)', () => {
  it('round-trips', () => {
    expect(parseSession(serializeSession(session))).toEqual(session);
  });

  it('reads a cookie sealed before renewed_at existed', () => {
    const { renewed_at: _absent, ...older } = session;
    expect(parseSession(JSON.stringify(older))).toEqual(older);
  });

  it.each([
    ['not JSON', 'session'],
    ['null', 'null'],
    ['an array', '[]'],
    ['no refresh token', JSON.stringify({ ...session, refresh_token: undefined })],
    ['an empty refresh token', JSON.stringify({ ...session, refresh_token: '' })],
    ['an empty access token', JSON.stringify({ ...session, access_token: '' })],
    ['a textual expiry', JSON.stringify({ ...session, expires_at: 'soon' })],
    ['no scope', JSON.stringify({ ...session, scope: undefined })],
    ['a textual renewal time', JSON.stringify({ ...session, renewed_at: 'today' })],
    ['a login state instead', JSON.stringify({ nonce: 'n', codeVerifier: 'v', issuedAt: NOW })],
  ])('refuses %s', (_case, text) => {
    expect(parseSession(text)).toBeUndefined();
  });

  it('starts from a code exchange, with the expiry counted from now', () => {
    expect(startSession(tokens(), NOW)).toEqual({
      refresh_token: 'new-refresh',
      access_token: 'new-access',
      expires_at: NOW + 3_600_000,
      scope: 'user-read-private',
      renewed_at: NOW,
    });
    expect(startSession(tokens({ scope: undefined }), NOW)?.scope).toBe('');
  });

  it('cannot start without a refresh token to keep', () => {
    expect(startSession(tokens({ refresh_token: undefined }), NOW)).toBeUndefined();
  });

  it.each<[string, Partial<SpotifyTokens>, Partial<Session>]>([
    ['keeps a rotated refresh token', {}, { refresh_token: 'new-refresh', scope: 'user-read-private' }],
    ['keeps its own refresh token and scope when Spotify sends none', { refresh_token: undefined, scope: undefined }, { refresh_token: session.refresh_token, scope: 'streaming' }],
  ])('renews: %s', (_case, answer, expected) => {
    expect(renewSession(session, tokens(answer), NOW + 1000)).toEqual({
      access_token: 'new-access',
      expires_at: NOW + 1000 + 3_600_000,
      renewed_at: NOW + 1000,
      ...expected,
    });
  });

  it.each([
    [61_000, false],
    [60_000, false],
    [59_999, true],
    [0, true],
    [-5_000, true],
  ])('with %i ms left, a refresh is due: %s', (left, due) => {
    expect(refreshDue({ ...session, expires_at: NOW + left }, NOW)).toBe(due);
  });

  it.each<[string, Session, number, boolean]>([
    ['exactly its life after the last refresh', session, THIRTY_DAYS_MS, false],
    ['a moment later', session, THIRTY_DAYS_MS + 1, true],
    ['sealed before renewed_at existed, its life after its token was issued', { ...session, renewed_at: undefined }, THIRTY_DAYS_MS, false],
    ['sealed before renewed_at existed, a moment later', { ...session, renewed_at: undefined }, THIRTY_DAYS_MS + 1, true],
  ])('a session %s: expired %s', (_case, subject, age, expired) => {
    expect(sessionExpired(subject, THIRTY_DAYS_MS, NOW + age)).toBe(expired);
  });

  it('answers the seconds left, never a negative number, and no refresh token', () => {
    expect(tokenAnswer(session, NOW + 1500)).toEqual({ access_token: session.access_token, token_type: 'Bearer', expires_in: 3598, scope: 'streaming' });
    expect(tokenAnswer(session, session.expires_at + 10_000).expires_in).toBe(0);
  });
});
