import { createHash } from 'node:crypto';
import { consentPage, errorPage } from './consent-page';
import type { EmulatorReply } from './emulator.types';

function html(reply: EmulatorReply): { status: number; html: string; headers: Record<string, string> } {
  if (reply.type !== 'html') throw new Error(`expected an HTML reply, got ${reply.type}`);
  return { status: reply.status, html: reply.html, headers: reply.headers ?? {} };
}

describe('consent page', () => {
  const page = html(consentPage({ clientId: 'my-app', scopes: ['user-read-email', 'streaming'], requestToken: 'tok_123' }));

  it('shows the app, every scope and the two buttons posting the decision', () => {
    expect(page.status).toBe(200);
    expect(page.html).toContain('<code>my-app</code> wants to access your account');
    expect(page.html).toContain('<li><code>user-read-email</code></li><li><code>streaming</code></li>');
    expect(page.html).toContain('<form method="post" action="/authorize/decision">');
    expect(page.html).toContain('<input type="hidden" name="request_token" value="tok_123">');
    expect(page.html).toContain('<button type="submit" name="decision" value="approve" id="approve">Approve</button>');
    expect(page.html).toContain('<button type="submit" name="decision" value="deny" id="deny">Deny</button>');
  });

  it('allows exactly its own inline stylesheet, no scripts and no framing', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(page.html).not.toMatch(/<script|https?:\/\//);
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('escapes what the caller chose', () => {
    const hostile = html(consentPage({ clientId: '<img src=x>', scopes: ['"><b>'], requestToken: 'a"b' }));
    expect(hostile.html).toContain('<code>&lt;img src=x&gt;</code>');
    expect(hostile.html).toContain('<code>&quot;&gt;&lt;b&gt;</code>');
    expect(hostile.html).toContain('value="a&quot;b"');
  });

  it('says so when no scope was requested', () => {
    expect(html(consentPage({ clientId: 'a', scopes: [], requestToken: 't' })).html).toContain('no scopes requested');
  });
});

describe('errorPage', () => {
  it('renders Spotify-style messages with the given status', () => {
    const page = html(errorPage(400, 'INVALID_CLIENT: Invalid redirect URI'));
    expect(page.status).toBe(400);
    expect(page.html).toContain('<p>INVALID_CLIENT: Invalid redirect URI</p>');
  });
});
