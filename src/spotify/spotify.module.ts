import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { spotifyConfig } from '../config/spotify.config';
import { MetricsModule } from '../metrics/metrics.module';
import { createKeepAliveAdapter } from './keep-alive.adapter';
import { SpotifyService } from './spotify.service';
import { KEEP_ALIVE_ADAPTER } from './spotify.constants';

@Module({
  imports: [HttpModule.register({ maxRedirects: 0 }), MetricsModule],
  providers: [
    SpotifyService,
    {
      provide: KEEP_ALIVE_ADAPTER,
      inject: [spotifyConfig.KEY],
      useFactory: (settings: ConfigType<typeof spotifyConfig>) =>
        createKeepAliveAdapter({
          maxSockets: settings.upstreamMaxSockets,
          idleSocketTimeoutMs: 4000,
          maxResponseBytes: 64 * 1024,
        }),
    },
  ],
  exports: [SpotifyService],
})
export class SpotifyModule {}
