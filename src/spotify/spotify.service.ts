import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { SpotifyGrantError, TemporarilyUnavailableError, UpstreamTimeoutError } from '../common/oauth.error';
import { spotifyConfig } from '../config/spotify.config';
import { MetricsService, UpstreamOperation, UpstreamOutcome } from '../metrics/metrics.service';
import { AuthorizeRequest } from './authorize-request';
import { KeepAliveAdapter } from './keep-alive.adapter';
import { interpretTokenAnswer, interpretTransportFailure } from './spotify-answer';
import { SpotifyTokens } from './spotify-tokens';
import { KEEP_ALIVE_ADAPTER } from './spotify.constants';

/**
 * The only code that knows Spotify Accounts' URL, client authentication and wire format.
 * Every outcome is either tokens or one typed `OAuthError`, within `UPSTREAM_TIMEOUT_MS`.
 */
@Injectable()
export class SpotifyService implements OnApplicationShutdown {
  private readonly tokenUrl: string;
  private readonly authorization: string;

  constructor(
    private readonly http: HttpService,
    @Inject(spotifyConfig.KEY) private readonly settings: ConfigType<typeof spotifyConfig>,
    @Inject(KEEP_ALIVE_ADAPTER) private readonly transport: KeepAliveAdapter,
    private readonly metrics: MetricsService,
  ) {
    this.tokenUrl = `${settings.accountsUrl}/api/token`;
    this.authorization = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`;
  }

  /** Redeems a one-time authorization code (optionally with its PKCE verifier). */
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<SpotifyTokens> {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    if (codeVerifier) form.set('code_verifier', codeVerifier);
    return this.requestTokens('exchange_code', form);
  }

  /** Trades a (plain, already opened) refresh token for a new access token. */
  refreshAccessToken(refreshToken: string): Promise<SpotifyTokens> {
    return this.requestTokens('refresh_token', new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }));
  }

  /** Where to send a browser so the user can grant `request.scopes` to this app. */
  authorizeUrl(request: AuthorizeRequest): string {
    const url = new URL(`${this.settings.accountsUrl}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.settings.clientId,
      scope: request.scopes.join(' '),
      redirect_uri: request.redirectUri,
      state: request.state,
      code_challenge_method: 'S256',
      code_challenge: request.codeChallenge,
      ...(request.showDialog ? { show_dialog: 'true' } : {}),
    }).toString();
    return url.href;
  }

  onApplicationShutdown(): void {
    this.transport.destroy();
  }

  private async requestTokens(operation: UpstreamOperation, form: URLSearchParams): Promise<SpotifyTokens> {
    const started = performance.now();
    try {
      const tokens = await this.callTokenEndpoint(form);
      this.metrics.observeUpstream(operation, 'ok', (performance.now() - started) / 1000);
      return tokens;
    } catch (error) {
      this.metrics.observeUpstream(operation, outcomeOf(error), (performance.now() - started) / 1000);
      if (error instanceof SpotifyGrantError) this.metrics.countSpotifyOAuthError(error.error);
      throw error;
    }
  }

  private async callTokenEndpoint(form: URLSearchParams): Promise<SpotifyTokens> {
    const timeoutMs = this.settings.upstreamTimeoutMs;
    let answer;
    try {
      answer = await this.http.axiosRef.request<string>({
        url: this.tokenUrl,
        method: 'POST',
        data: form.toString(),
        headers: {
          Authorization: this.authorization,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        // One deadline from connect to the last byte; axios' own `timeout` is only an idle timer.
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw interpretTransportFailure(error, timeoutMs);
    }
    // A header sent twice arrives as an array.
    const header = (name: string) => answer.headers[name] as string | string[] | undefined;
    return interpretTokenAnswer(answer.status, header('content-type'), answer.data, header('retry-after'));
  }
}

function outcomeOf(error: unknown): UpstreamOutcome {
  if (error instanceof SpotifyGrantError) return 'oauth_error';
  if (error instanceof TemporarilyUnavailableError) return 'rate_limited';
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  return 'upstream_error';
}
