import { Injectable } from '@nestjs/common';
import { CryptoService } from '../crypto/crypto.service';
import { MetricsService } from './metrics.service';

/** Publishes, once at start-up, which key ids this instance seals and opens with (`encryption_key_info`). */
@Injectable()
export class EncryptionKeyReporter {
  constructor(crypto: CryptoService, metrics: MetricsService) {
    const { current, previous } = crypto.keyIds;
    metrics.describeEncryptionKeys(current, previous);
  }
}
