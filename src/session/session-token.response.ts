import { ApiProperty } from '@nestjs/swagger';
import { SessionTokenAnswer } from './session';

/** `GET /token`'s answer, as the OpenAPI description shows it. */
export class SessionTokenResponse implements SessionTokenAnswer {
  @ApiProperty({ example: 'BQC4...' })
  access_token!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ type: 'integer', description: "Seconds the access token has left: over 60 when answered, unless Spotify's tokens live shorter than that", example: 3540 })
  expires_in!: number;

  @ApiProperty({ description: 'Space-separated scopes granted', example: 'user-read-private user-read-email streaming' })
  scope!: string;
}
