import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { CookieRefusal } from '../common/sealed-cookie';
import { securityConfig } from '../config/security.config';
import { spotifyConfig } from '../config/spotify.config';
import { Opened, Sealer } from './sealer';

/** What a sealed value is for. Each purpose has its own key, so none can stand in for another. */
export type SealPurpose = 'refresh-token' | 'state' | 'session';

const PURPOSES: readonly SealPurpose[] = ['refresh-token', 'state', 'session'];

/** A sealed cookie that opened: what it holds, and whether it should be resealed under the current secret. */
export interface OpenedCookie<T> {
  value: T;
  sealedWithCurrentKey: boolean;
}

/**
 * Seals and opens everything this service hands to clients: refresh tokens, the login state
 * cookie and session cookies. Keys come from `ENCRYPTION_SECRET` (sealing) and
 * `ENCRYPTION_SECRET_PREVIOUS` (opening only), derived once at start-up.
 */
@Injectable()
export class CryptoService {
  private readonly sealers: Record<SealPurpose, Sealer>;

  constructor(
    @Inject(securityConfig.KEY) security: ConfigType<typeof securityConfig>,
    @Inject(spotifyConfig.KEY) spotify: ConfigType<typeof spotifyConfig>,
  ) {
    // The client id is the associated data: a token sealed for one Spotify app never opens for another.
    const sealerFor = (purpose: SealPurpose) =>
      new Sealer(purpose, spotify.clientId, security.encryptionSecret, security.previousEncryptionSecrets);
    this.sealers = Object.fromEntries(PURPOSES.map((purpose) => [purpose, sealerFor(purpose)])) as Record<
      SealPurpose,
      Sealer
    >;
  }

  /** Every purpose's keys come from the same secrets, so one sealer's key ids are all of them. */
  get keyIds(): { current: string; previous: string[] } {
    return this.sealers['refresh-token'].keyIds;
  }

  seal(purpose: SealPurpose, plaintext: string): string {
    return this.sealers[purpose].seal(plaintext);
  }

  /** `undefined` when the sealed text does not open, whatever the reason. */
  open(purpose: SealPurpose, sealed: string): Opened | undefined {
    return this.sealers[purpose].open(sealed);
  }

  /** For metrics: sealed text that did not open names a key id no configured secret has. */
  namesUnknownKey(purpose: SealPurpose, sealed: string): boolean {
    return this.sealers[purpose].namesUnknownKey(sealed);
  }

  /**
   * A sealed cookie's value as cookie-parser hands it over, opened and parsed. cookie-parser turns
   * a `j:`-prefixed value into an object: never one this service wrote, so `invalid`, like any
   * value that does not open or parse.
   */
  openCookie<T>(purpose: SealPurpose, cookie: unknown, parse: (plaintext: string) => T | undefined): OpenedCookie<T> | CookieRefusal {
    if (cookie === undefined || cookie === '') return 'missing';
    const opened = typeof cookie === 'string' ? this.open(purpose, cookie) : undefined;
    const value = opened === undefined ? undefined : parse(opened.value);
    if (opened === undefined || value === undefined) return 'invalid';
    return { value, sealedWithCurrentKey: opened.sealedWithCurrentKey };
  }
}
