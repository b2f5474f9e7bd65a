import { redactUrl } from './redaction';

describe('redactUrl', () => {
  it.each([
    ['/callback?code=AQD123&state=n0nce', '/callback?code=[redacted]&state=[redacted]'],
    ['/callback?error=access_denied&state=abc', '/callback?error=access_denied&state=[redacted]'],
    ['/x?refresh_token=r&access_token=a&code_verifier=v&client_secret=s', '/x?refresh_token=[redacted]&access_token=[redacted]&code_verifier=[redacted]&client_secret=[redacted]'],
    ['/login?scope=streaming&return_to=https%3A%2F%2Fapp', '/login?scope=streaming&return_to=https%3A%2F%2Fapp'],
    ['/swap', '/swap'],
    ['/x?CODE=upper', '/x?CODE=[redacted]'],
    ['/x?barcode=1&code=2', '/x?barcode=1&code=[redacted]'],
    ['/callback?co%64e=AQD123&st%61te=n0nce', '/callback?co%64e=[redacted]&st%61te=[redacted]'],
    ['/x?%ZZ=1&code=2', '/x?%ZZ=1&code=[redacted]'],
    ['/x?code=a#b&state=c', '/x?code=[redacted]&state=[redacted]'],
    ['/x?code&state=', '/x?code&state=[redacted]'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
