import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { CryptoService } from './crypto.service';

@Module({
  imports: [MetricsModule],
  providers: [CryptoService],
  exports: [CryptoService],
})
export class CryptoModule {}
