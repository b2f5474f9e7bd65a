/**
 * The demo page's script, served from this origin so the page runs under `script-src 'self'`.
 * It is what a web app's landing page does: read the result from the fragment (or the query in
 * TOKEN_DELIVERY=query mode), wipe it from the address bar, call the Web API with the access
 * token, and trade the sealed refresh token for a new access token through `POST /refresh`.
 * In session mode there is no token in the URL: it asks `GET /token` (the cookie rides along,
 * `X-Requested-With` passes the CSRF check) and logs out with `POST /logout`.
 * Everything is written with textContent: nothing from the URL is ever parsed as HTML.
 */
export const DEMO_SCRIPT = `'use strict';
(() => {
  const byId = (id) => document.getElementById(id);
  const webApiUrl = document.body.dataset.webApi;
  const sessionMode = document.body.dataset.mode === 'session';
  const result = new URLSearchParams(location.hash.length > 1 ? location.hash.slice(1) : location.search.slice(1));
  // The tokens must not linger in the history, a bookmark or a screenshot of the address bar.
  history.replaceState(null, '', location.pathname);

  let tokens;

  const show = (section) => {
    for (const id of ['welcome', 'failed', 'unavailable', 'signed-in']) byId(id).hidden = id !== section;
  };
  const shorten = (token) => (token.length > 16 ? token.slice(0, 8) + '\\u2026' + token.slice(-4) : token);
  const setStatus = (text) => {
    byId('status').textContent = text;
  };

  const render = () => {
    byId('access-token').textContent = shorten(tokens.access_token);
    byId('expires-in').textContent = tokens.expires_in + ' s';
    byId('scope').textContent = tokens.scope || '(none)';
    byId('refresh-token').textContent = tokens.refresh_token
      ? shorten(tokens.refresh_token)
      : sessionMode ? 'kept by the service, out of this page\\'s reach' : '(none)';
  };

  const showFailure = (code) => {
    byId('error-code').textContent = code;
    show('failed');
  };

  const readJson = async (response) => {
    const body = await response.json();
    if (!response.ok) {
      const reason = body.error && typeof body.error === 'object' ? body.error.message : body.error + ': ' + body.error_description;
      throw new Error(reason);
    }
    return body;
  };

  const loadUser = async () => {
    byId('user').textContent = 'loading\\u2026';
    try {
      const me = await readJson(await fetch(webApiUrl + '/v1/me', { headers: { Authorization: 'Bearer ' + tokens.access_token } }));
      byId('user').textContent = me.display_name + ' (' + me.id + ')';
    } catch (error) {
      byId('user').textContent = 'unknown: ' + error.message;
    }
  };

  const refresh = async () => {
    byId('refresh').disabled = true;
    setStatus('Refreshing\\u2026');
    try {
      const response = await fetch('/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      tokens = await readJson(response);
      render();
      setStatus('Refreshed at ' + new Date().toLocaleTimeString() + ': the access token above is new.');
      await loadUser();
    } catch (error) {
      setStatus('Refresh failed: ' + error.message);
    } finally {
      byId('refresh').disabled = false;
    }
  };

  const signIn = () => {
    render();
    show('signed-in');
    loadUser();
  };

  const askService = (path, method) =>
    fetch(path, { method, credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } });

  const loadSession = async () => {
    const response = await askService('/token', 'GET');
    if (response.status === 401) {
      show('welcome');
      return;
    }
    try {
      tokens = await readJson(response);
    } catch (error) {
      // 429, 502, 504: the cookie is kept, so this is a wait, not a failed login.
      byId('unavailable-reason').textContent = error.message;
      show('unavailable');
      return;
    }
    signIn();
  };

  const logout = async () => {
    byId('logout').disabled = true;
    try {
      const response = await askService('/logout', 'POST');
      if (!response.ok) await readJson(response);
      tokens = undefined;
      byId('logged-out').hidden = false;
      show('welcome');
    } catch (error) {
      setStatus('Log out failed: ' + error.message);
    } finally {
      byId('logout').disabled = false;
    }
  };

  if (result.has('error')) {
    showFailure(result.get('error'));
  } else if (sessionMode) {
    byId('logout').addEventListener('click', logout);
    byId('retry').addEventListener('click', () => location.reload());
    loadSession();
  } else if (result.has('access_token')) {
    tokens = Object.fromEntries(result);
    byId('refresh').addEventListener('click', refresh);
    signIn();
  } else {
    show('welcome');
  }
})();
`;
