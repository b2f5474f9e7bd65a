import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { securityConfig } from '../config/security.config';
import { spotifyConfig } from '../config/spotify.config';
import { Opened, Sealer } from './sealer';

/** What a sealed value is for. Each purpose has its own key, so none can stand in for another. */
export type SealPurpose = 'refresh-token' | 'state' | 'session';

const PURPOSES: readonly SealPurpose[] = ['refresh-token', 'state', 'session'];

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

  seal(purpose: SealPurpose, plaintext: string): string {
    return this.sealers[purpose].seal(plaintext);
  }

  /** `undefined` when the sealed text does not open, whatever the reason. */
  open(purpose: SealPurpose, sealed: string): Opened | undefined {
    return this.sealers[purpose].open(sealed);
  }
}
