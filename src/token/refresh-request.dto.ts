import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /refresh`: what the Spotify iOS SDK's `tokenRefreshURL` sends. Extra fields are stripped. */
export class RefreshRequestDto {
  @ApiProperty({ description: 'A refresh token as issued (sealed) by this service', maxLength: 4096, example: 'AQS3p8mZ...' })
  // class-validator checks the decorator nearest the property first: required, then type, then size.
  @MaxLength(4096, { message: 'refresh_token must be at most 4096 characters' })
  @IsString({ message: 'refresh_token must be a string' })
  @IsNotEmpty({ message: 'refresh_token is required' })
  refresh_token!: string;
}
