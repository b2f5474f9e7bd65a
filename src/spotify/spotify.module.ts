import { HttpService } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { spotifyConfig } from '../config/spotify.config';
import { MetricsModule } from '../metrics/metrics.module';
import { createKeepAliveAdapter, KeepAliveAdapter } from './keep-alive.adapter';
import { spotifyHttpService } from './spotify-http';
import { SpotifyService } from './spotify.service';
import { KEEP_ALIVE_ADAPTER } from './spotify.constants';

@Module({
  imports: [MetricsModule],
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
    {
      provide: HttpService,
      inject: [KEEP_ALIVE_ADAPTER],
      useFactory: (transport: KeepAliveAdapter) => spotifyHttpService(transport.adapter),
    },
  ],
  exports: [SpotifyService],
})
export class SpotifyModule {}
