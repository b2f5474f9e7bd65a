import { HttpService } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { spotifyConfig } from '../config/spotify.config';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsService } from '../metrics/metrics.service';
import { createKeepAliveAdapter, KeepAliveAdapter } from './keep-alive.adapter';
import { spotifyHttpService } from './spotify-http';
import { SpotifyService } from './spotify.service';
import { IDLE_SOCKET_TIMEOUT_MS, KEEP_ALIVE_ADAPTER, MAX_UPSTREAM_ANSWER_BYTES } from './spotify.constants';

@Module({
  imports: [MetricsModule],
  providers: [
    SpotifyService,
    {
      provide: KEEP_ALIVE_ADAPTER,
      inject: [spotifyConfig.KEY, MetricsService],
      useFactory: (settings: ConfigType<typeof spotifyConfig>, metrics: MetricsService) => {
        const transport = createKeepAliveAdapter({
          maxSockets: settings.upstreamMaxSockets,
          idleSocketTimeoutMs: IDLE_SOCKET_TIMEOUT_MS,
          maxResponseBytes: MAX_UPSTREAM_ANSWER_BYTES,
        });
        metrics.watchSpotifyPool(() => transport.load());
        return transport;
      },
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
