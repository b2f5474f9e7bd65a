import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { spotifyConfig } from '../config/spotify.config';
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
  ) {
    this.tokenUrl = `${settings.accountsUrl}/api/token`;
    this.authorization = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`;
  }

  /** Redeems a one-time authorization code (optionally with its PKCE verifier). */
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<SpotifyTokens> {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    if (codeVerifier) form.set('code_verifier', codeVerifier);
    return this.requestTokens(form);
  }

  /** Trades a (plain, already opened) refresh token for a new access token. */
  refreshAccessToken(refreshToken: string): Promise<SpotifyTokens> {
    return this.requestTokens(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }));
  }

  onApplicationShutdown(): void {
    this.transport.destroy();
  }

  private async requestTokens(form: URLSearchParams): Promise<SpotifyTokens> {
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
        adapter: this.transport.adapter,
        // One deadline from connect to the last byte; axios' own `timeout` is only an idle timer.
        signal: AbortSignal.timeout(timeoutMs),
        maxRedirects: 0,
        responseType: 'text',
        transformResponse: (data: string) => data,
        validateStatus: () => true,
      });
    } catch (error) {
      throw interpretTransportFailure(error, timeoutMs);
    }
    const header = (name: string) => answer.headers[name] as string | undefined;
    return interpretTokenAnswer(answer.status, header('content-type'), answer.data, header('retry-after'));
  }
}
