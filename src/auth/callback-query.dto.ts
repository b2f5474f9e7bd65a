import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

/**
 * `GET /callback`, as Spotify sends the browser back: `code` on approval, `error` otherwise.
 * `state` is the state guard's business and is stripped here.
 */
export class CallbackQueryDto {
  @ApiPropertyOptional({ description: 'Authorization code from Spotify (on approval)', maxLength: 1024 })
  @ValidateIf((query: CallbackQueryDto) => query.error === undefined)
  @MaxLength(1024, { message: 'code must be at most 1024 characters' })
  @IsString({ message: 'code must be given once' })
  @IsNotEmpty({ message: 'code or error is required' })
  code?: string;

  @ApiPropertyOptional({ description: 'OAuth error from Spotify, e.g. access_denied', pattern: '^[a-z_]{1,64}$' })
  // Only an OAuth error code goes on to the landing page; anything else is not Spotify's.
  @IsOptional()
  @Matches(/^[a-z_]{1,64}$/, { message: 'error must be an OAuth error code' })
  error?: string;
}
