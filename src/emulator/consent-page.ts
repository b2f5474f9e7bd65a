import { createHash } from 'node:crypto';
import { escapeHtml } from '../common/escape-html';
import type { EmulatorReply } from './emulator.types';

const STYLE = `
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
background:#121212;color:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{background:#1f1f1f;border-radius:12px;padding:32px;max-width:420px;width:calc(100% - 32px)}
h1{font-size:22px;margin:0 0 8px}
.note{color:#b3b3b3;font-size:13px;margin:0 0 24px}
ul{padding-left:20px}
code{color:#1ed760}
.actions{display:flex;gap:12px;margin-top:24px}
button{flex:1;border:0;border-radius:500px;padding:12px;font-size:16px;font-weight:700;cursor:pointer}
#approve{background:#1ed760;color:#000}
#deny{background:transparent;color:#fff;box-shadow:inset 0 0 0 1px #727272}
`;

// The page allows exactly its own stylesheet and nothing else: no scripts, no external assets.
// No form-action directive: browsers apply it to the redirect that follows the POST as well,
// which would block the hop to the app's redirect URI.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** What the consent page shows and the hidden token that ties the decision to its request. */
export interface ConsentPageModel {
  clientId: string;
  scopes: readonly string[];
  requestToken: string;
}

function page(status: number, title: string, content: string): EmulatorReply {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
  return { type: 'html', status, html, headers: PAGE_HEADERS };
}

/** The login-and-consent screen, reduced to the one decision the OAuth flow needs. */
export function consentPage({ clientId, scopes, requestToken }: ConsentPageModel): EmulatorReply {
  const scopeList =
    scopes.length === 0
      ? '<p>Basic access only: no scopes requested.</p>'
      : `<ul>${scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('')}</ul>`;
  return page(
    200,
    'Authorize access - Spotify Accounts emulator',
    `<h1><code>${escapeHtml(clientId)}</code> wants to access your account</h1>
<p class="note">Spotify Accounts emulator, signed in as Emulator User. Nothing here talks to Spotify.</p>
<p>Requested scopes:</p>
${scopeList}
<form method="post" action="/authorize/decision">
<input type="hidden" name="request_token" value="${escapeHtml(requestToken)}">
<div class="actions">
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
</div>
</form>`,
  );
}

/** Spotify's plain error page for a request it cannot redirect back, e.g. an unknown client. */
export function errorPage(status: number, message: string): EmulatorReply {
  return page(
    status,
    'Error - Spotify Accounts emulator',
    `<h1>Oops! Something went wrong</h1>\n<p>${escapeHtml(message)}</p>`,
  );
}
