import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** Leaves room in the browser's 4 KB cookie for the rest of the sealed login state. */
export const RETURN_TO_MAX_LENGTH = 2000;

/** `GET /login`: every field optional. Extra query parameters are stripped. */
export class LoginQueryDto {
  @ApiPropertyOptional({ description: 'Space-separated Spotify scopes; default SCOPES', maxLength: 1000, example: 'user-read-private streaming' })
  // class-validator checks the decorator nearest the property first: type, then size.
  @IsOptional()
  @MaxLength(1000, { message: 'scope must be at most 1000 characters' })
  @IsString({ message: 'scope must be given once, as a space-separated list' })
  scope?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Ask Spotify to show the consent dialog again' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'show_dialog must be true or false' })
  show_dialog?: string;

  @ApiPropertyOptional({ description: 'Where to land: origin and path must equal a FINAL_URI entry', maxLength: RETURN_TO_MAX_LENGTH })
  @IsOptional()
  @MaxLength(RETURN_TO_MAX_LENGTH, { message: `return_to must be at most ${RETURN_TO_MAX_LENGTH} characters` })
  @IsString({ message: 'return_to must be given once' })
  return_to?: string;
}
