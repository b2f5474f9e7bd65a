import { crossSiteRefusal, CrossSiteSignals, originOf, originRefusalDetail } from './cross-site-check';

const OWN = 'https://swap.example.com';
const ALLOWED = ['https://app.example.com'];
const signals = (overrides: Partial<CrossSiteSignals>): CrossSiteSignals => ({
  requestedWith: 'fetch',
  origin: undefined,
  ownOrigin: OWN,
  ...overrides,
});

describe('originOf', () => {
  it.each<[string, string | undefined, string | undefined]>([
    ['http', '127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['https', 'Swap.Example.COM', 'https://swap.example.com'],
    ['https', 'swap.example.com:443', 'https://swap.example.com'],
    ['http', 'swap.example.com:8080', 'http://swap.example.com:8080'],
    ['http', '[::1]:5000', 'http://[::1]:5000'],
    ['http', undefined, undefined],
    ['http', '', undefined],
    ['http', 'bad host name', undefined],
  ])('%s + %s → %s', (protocol, host, origin) => {
    expect(originOf(protocol, host)).toBe(origin);
  });
});

describe('crossSiteRefusal', () => {
  it.each<[string, Partial<CrossSiteSignals>, string | undefined]>([
    ['the header and no Origin (a same-origin GET)', {}, undefined],
    ['the header, even empty', { requestedWith: '' }, undefined],
    ['the header twice', { requestedWith: ['a', 'b'] }, undefined],
    ['its own origin', { origin: OWN }, undefined],
    ['an allowlisted origin', { origin: 'https://app.example.com' }, undefined],
    ['no header (a form or a link)', { requestedWith: undefined }, 'header'],
    ['no header, even from its own origin', { requestedWith: undefined, origin: OWN }, 'header'],
    ['another origin', { origin: 'https://evil.example.com' }, 'origin'],
    ['an opaque origin (sandboxed frame, data: URL)', { origin: 'null' }, 'origin'],
    ['its own host over the other scheme', { origin: 'http://swap.example.com' }, 'origin'],
    ['an allowlisted host on another port', { origin: 'https://app.example.com:8443' }, 'origin'],
    ['an Origin when the request names no host', { origin: OWN, ownOrigin: undefined }, 'origin'],
  ])('%s → %s', (_case, overrides, refusal) => {
    expect(crossSiteRefusal(signals(overrides), ALLOWED)).toBe(refusal);
  });
});

describe('originRefusalDetail', () => {
  it('names the refused Origin and what it was compared with', () => {
    expect(originRefusalDetail(signals({ origin: 'https://www.app.example.com' }))).toBe(
      `Origin "https://www.app.example.com" is neither this service's own ("${OWN}") nor one of CORS_ORIGINS`,
    );
  });

  it('quotes a made-up Origin as one bounded JSON string', () => {
    const detail = originRefusalDetail(signals({ origin: `"\n${'x'.repeat(1000)}`, ownOrigin: undefined }));
    expect(detail).toMatch(/^Origin "\\"\\nx{198}" is neither this service's own \(no usable Host\) nor one of CORS_ORIGINS$/);
  });

  it('bounds its own origin too: it comes from the request\'s Host', () => {
    const detail = originRefusalDetail(signals({ origin: 'https://evil.example', ownOrigin: `https://${'h'.repeat(5000)}` }));
    expect(detail).toBe(`Origin "https://evil.example" is neither this service's own ("https://${'h'.repeat(192)}") nor one of CORS_ORIGINS`);
  });
});
