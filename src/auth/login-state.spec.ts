import { LoginState, parseLoginState, serializeLoginState } from './login-state';

describe('login state (the state cookie plaintext)', () => {
  const state: LoginState = { nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43), returnTo: 'https://app.example.com/ok', issuedAt: 1_700_000_000_000 };

  it.each<[string, LoginState]>([
    ['with return_to', state],
    ['without return_to', { ...state, returnTo: undefined }],
  ])('round-trips %s', (_case, value) => {
    expect(parseLoginState(serializeLoginState(value))).toEqual(value);
  });

  it.each([
    ['not JSON', 'nonce'],
    ['null', 'null'],
    ['an array', '[]'],
    ['no nonce', JSON.stringify({ ...state, nonce: undefined })],
    ['a numeric verifier', JSON.stringify({ ...state, codeVerifier: 42 })],
    ['a textual issue time', JSON.stringify({ ...state, issuedAt: 'now' })],
    ['an object as return_to', JSON.stringify({ ...state, returnTo: { href: 'x' } })],
  ])('refuses %s', (_case, text) => {
    expect(parseLoginState(text)).toBeUndefined();
  });
});
