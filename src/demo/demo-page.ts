import { escapeHtml } from '../common/escape-html';
import { OFFLINE_DEMO_PATH } from '../config/browser.config';
import { BrowserMode } from '../config/session.config';

/** The page's script and style, served beside it by DemoController. */
export const DEMO_SCRIPT_FILE = 'demo.js';
export const DEMO_STYLE_FILE = 'demo.css';
const DEMO_SCRIPT_PATH = `${OFFLINE_DEMO_PATH}/${DEMO_SCRIPT_FILE}`;
const DEMO_STYLE_PATH = `${OFFLINE_DEMO_PATH}/${DEMO_STYLE_FILE}`;

export const DEMO_STYLE = `
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
background:#121212;color:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{background:#1f1f1f;border-radius:12px;padding:32px;max-width:560px;width:calc(100% - 32px)}
h1{font-size:22px;margin:0 0 8px}
.note{color:#b3b3b3;font-size:13px;margin:0 0 24px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:16px 0}
dt{color:#b3b3b3}
dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
code{color:#1ed760}
a.button,button{display:inline-block;border:0;border-radius:500px;padding:12px 24px;font-size:16px;font-weight:700;
cursor:pointer;background:#1ed760;color:#000;text-decoration:none}
button:disabled{opacity:.6;cursor:wait}
#status{color:#b3b3b3;min-height:1.5em}
`;

/** What differs between the modes: how the page gets its tokens, and what its button does. */
const MODE_TEXT: Record<BrowserMode, { note: string; welcome: string; action: string }> = {
  tokens: {
    note: "This page is what your web app's FINAL_URI receives.",
    welcome: 'it sends you to the emulator\'s consent page, then back here with tokens.',
    action: '<button type="button" id="refresh">Refresh</button>',
  },
  session: {
    note: 'Session mode: the service keeps the refresh token in an HttpOnly cookie; this page asks /token for access tokens.',
    welcome: 'it sends you to the emulator\'s consent page, then back here, and this page asks /token for an access token.',
    action: '<button type="button" id="logout">Log out</button>',
  },
};

/**
 * The offline demo's landing page (FINAL_URI's default when the service runs against the
 * emulator). No inline script or style, so it works under a strict Content-Security-Policy.
 */
export function demoPageHtml(webApiUrl: string, mode: BrowserMode): string {
  const text = MODE_TEXT[mode];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Spotify Token Swap - offline demo</title>
<link rel="stylesheet" href="${DEMO_STYLE_PATH}">
</head>
<body data-web-api="${escapeHtml(webApiUrl)}" data-mode="${mode}">
<main>
<h1>Spotify Token Swap: offline demo</h1>
<p class="note">${text.note} Everything runs against the local Spotify Accounts emulator.</p>
<section id="welcome" hidden>
<p id="logged-out" hidden>Logged out: the session cookie is gone.</p>
<p>Log in through this service: ${text.welcome}</p>
<a class="button" id="login" href="/login">Log in</a>
</section>
<section id="failed" hidden>
<p>Login failed: <code id="error-code"></code></p>
<p class="note"><code>state_mismatch</code> usually means the login took over ten minutes, went Back to the consent page and approved again, or started on another host name than REDIRECT_URI's (open 127.0.0.1, not localhost).</p>
<a class="button" href="/login">Try again</a>
</section>
<section id="unavailable" hidden>
<p>No access token for now: <code id="unavailable-reason"></code></p>
<p class="note">You are still logged in: Spotify or this service failed, or asked to wait. Nothing to do but try again in a moment.</p>
<button type="button" id="retry">Try again</button>
</section>
<section id="signed-in" hidden>
<p>Logged in as <strong id="user"></strong></p>
<dl>
<dt>access_token</dt><dd id="access-token"></dd>
<dt>expires_in</dt><dd id="expires-in"></dd>
<dt>scope</dt><dd id="scope"></dd>
<dt>refresh_token</dt><dd id="refresh-token"></dd>
</dl>
${text.action}
<p id="status"></p>
</section>
</main>
<script src="${DEMO_SCRIPT_PATH}"></script>
</body>
</html>
`;
}

/** Own origin for the page, its script and style; the emulator's origin for the `/v1/me` call. */
export function demoPageContentSecurityPolicy(webApiUrl: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${new URL(webApiUrl).origin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
