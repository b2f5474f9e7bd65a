import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** `GET /login`: every field optional. Extra query parameters are stripped. */
export class LoginQueryDto {
  // class-validator checks the decorator nearest the property first: type, then size.
  @IsOptional()
  @MaxLength(1000, { message: 'scope must be at most 1000 characters' })
  @IsString({ message: 'scope must be given once, as a space-separated list' })
  scope?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'show_dialog must be true or false' })
  show_dialog?: string;

  // Leaves room in the 4 KB cookie for the rest of the sealed state.
  @IsOptional()
  @MaxLength(2000, { message: 'return_to must be at most 2000 characters' })
  @IsString({ message: 'return_to must be given once' })
  return_to?: string;
}
