import { Module } from '@nestjs/common';
import { CryptoModule } from '../crypto/crypto.module';
import { SpotifyModule } from '../spotify/spotify.module';
import { TokenController } from './token.controller';
import { TokenService } from './token.service';

@Module({
  imports: [SpotifyModule, CryptoModule],
  controllers: [TokenController],
  providers: [TokenService],
})
export class TokenModule {}
