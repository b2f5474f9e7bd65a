import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
export const CODE_VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** `POST /swap`: what the Spotify iOS SDK's `tokenSwapURL` sends. Extra fields are stripped. */
export class SwapRequestDto {
  @ApiProperty({ description: 'The one-time authorization code the app received', maxLength: 1024, example: 'AQD...' })
  // class-validator checks the decorator nearest the property first: required (or optional), then type, then the rest.
  @MaxLength(1024, { message: 'code must be at most 1024 characters' })
  @IsString({ message: 'code must be a string' })
  @IsNotEmpty({ message: 'code is required' })
  code!: string;

  @ApiPropertyOptional({ description: 'One of CALLBACK_URL; absent or empty: its first entry', maxLength: 2048, example: 'myapp://callback' })
  @IsOptional()
  @MaxLength(2048, { message: 'redirect_uri must be at most 2048 characters' })
  @IsString({ message: 'redirect_uri must be a string' })
  redirect_uri?: string;

  @ApiPropertyOptional({ description: 'PKCE verifier (RFC 7636)', pattern: CODE_VERIFIER_PATTERN.source, minLength: 43, maxLength: 128 })
  @IsOptional()
  @Matches(CODE_VERIFIER_PATTERN, { message: 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)' })
  @IsString({ message: 'code_verifier must be a string' })
  code_verifier?: string;
}
