import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SessionRefreshRefusedError, SessionRevokedError, SpotifyGrantError } from '../common/oauth.error';
import { MetricsService } from '../metrics/metrics.service';
import { SpotifyService } from '../spotify/spotify.service';
import { RefreshCoalescer } from './refresh-coalescer';
import { renewSession, Session, SessionTokenAnswer, tokenAnswer } from './session';
import { PresentedSession } from './session-request';

/**
 * How long a finished refresh still answers callers that bring the refresh token it replaced:
 * a tab whose `/token` left before another tab's new cookie was stored.
 */
const RECENT_REFRESH_MS = 10_000;

/** `/token`'s answer, and the session to put back in the cookie when it changed. */
export interface ServedToken {
  answer: SessionTokenAnswer;
  /** Set when the cookie must be re-set: refreshed, or resealed under the current secret. */
  renewed?: Session;
}

/**
 * Session mode's `/token`: answers from the cookie while the access token has over a minute
 * left (no call to Spotify), refreshes it with Spotify otherwise. Concurrent refreshes of one
 * session share a single call to Spotify, so tabs racing a rotating refresh token all succeed.
 */
@Injectable()
export class SessionService {
  private readonly refreshes: RefreshCoalescer<Session>;

  constructor(
    private readonly spotify: SpotifyService,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {
    this.refreshes = new RefreshCoalescer(RECENT_REFRESH_MS, () => clock.now());
  }

  /**
   * An access token for the session the browser presented.
   * @throws SessionRevokedError when Spotify refuses the refresh token, SessionRefreshRefusedError
   * when it refuses this service's request; Spotify's other failures (502, 504, 429) as for `/refresh`.
   */
  async accessToken(presented: PresentedSession): Promise<ServedToken> {
    const { value: session, sealedWithCurrentKey } = presented;
    if (!presented.refreshDue) {
      this.metrics.countSessionToken('cache');
      // A session sealed under a retired secret goes back under the current one, as /refresh does.
      return { answer: tokenAnswer(session, this.clock.now()), renewed: sealedWithCurrentKey ? undefined : session };
    }
    const renewed = await this.refreshes.run(session.refresh_token, () => this.refresh(session));
    this.metrics.countSessionToken('refreshed');
    return { answer: tokenAnswer(renewed, this.clock.now()), renewed };
  }

  private async refresh(session: Session): Promise<Session> {
    try {
      return renewSession(session, await this.spotify.refreshAccessToken(session.refresh_token), this.clock.now());
    } catch (error) {
      if (!(error instanceof SpotifyGrantError)) throw error;
      if (error.error === 'invalid_grant') throw new SessionRevokedError(error.description);
      throw new SessionRefreshRefusedError(error);
    }
  }
}
