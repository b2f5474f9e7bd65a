import { Module } from '@nestjs/common';
import { CryptoModule } from '../crypto/crypto.module';
import { EncryptionKeyReporter } from './encryption-key-reporter';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [CryptoModule],
  controllers: [MetricsController],
  providers: [MetricsService, EncryptionKeyReporter],
  exports: [MetricsService],
})
export class MetricsModule {}
