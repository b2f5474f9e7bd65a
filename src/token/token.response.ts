import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Spotify's token answer as handed on; `refresh_token` is sealed by this service. */
export class TokenResponse {
  @ApiProperty({ example: 'BQC4...' })
  access_token!: string;

  @ApiProperty({ example: 'Bearer' })
  token_type!: string;

  @ApiProperty({ type: 'integer', description: 'Seconds until the access token expires', example: 3600 })
  expires_in!: number;

  @ApiPropertyOptional({ description: 'Space-separated scopes granted', example: 'user-read-private user-read-email' })
  scope?: string;

  @ApiPropertyOptional({
    description: 'Sealed by this service (base64url); send it back to /refresh as it is. Always present on /refresh.',
    example: 'AQS3p8mZ...',
  })
  refresh_token?: string;
}
