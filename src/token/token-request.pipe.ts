import { ArgumentMetadata, PipeTransform, Type } from '@nestjs/common';
import { isNotEmpty, isString, matches, maxLength } from 'class-validator';
import { isJsonObject } from '../common/json-object';
import { InvalidRequestError } from '../common/oauth.error';
import { RefreshRequestDto } from './refresh-request.dto';
import { CODE_VERIFIER_PATTERN, SwapRequestDto } from './swap-request.dto';

/** A check of one field and the message when it fails. */
type Rule = [check: (value: unknown) => boolean, message: string];

interface FieldRules {
  /** `@IsOptional()`: null and undefined skip the rules. */
  optional: boolean;
  /** In the order class-validator runs the DTO's decorators: the one nearest the property first. */
  rules: Rule[];
}

const atMost = (max: number) => (value: unknown) => maxLength(value, max);

/**
 * The DTOs' decorators, as plain checks. token-request.pipe.spec.ts holds this table to the
 * decorators: for every input there, both give the same DTO or the same first message.
 */
const SCHEMAS = new Map<Type<unknown>, Record<string, FieldRules>>([
  [
    SwapRequestDto,
    {
      code: {
        optional: false,
        rules: [
          [isNotEmpty, 'code is required'],
          [isString, 'code must be a string'],
          [atMost(1024), 'code must be at most 1024 characters'],
        ],
      },
      redirect_uri: {
        optional: true,
        rules: [
          [isString, 'redirect_uri must be a string'],
          [atMost(2048), 'redirect_uri must be at most 2048 characters'],
        ],
      },
      code_verifier: {
        optional: true,
        rules: [
          [isString, 'code_verifier must be a string'],
          [(value) => matches(value as string, CODE_VERIFIER_PATTERN), 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)'],
        ],
      },
    },
  ],
  [
    RefreshRequestDto,
    {
      refresh_token: {
        optional: false,
        rules: [
          [isNotEmpty, 'refresh_token is required'],
          [isString, 'refresh_token must be a string'],
          [atMost(4096), 'refresh_token must be at most 4096 characters'],
        ],
      },
    },
  ],
]);

/**
 * Validates token request bodies as the shared `oauthValidationPipe` would (first problem as
 * `invalid_request`, unknown fields stripped, a DTO instance out) without class-transformer's
 * copy and class-validator's metadata walk, which cost more than the checks themselves on
 * the busiest routes.
 */
export class TokenRequestPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = metadata.type === 'body' && metadata.metatype ? SCHEMAS.get(metadata.metatype) : undefined;
    if (!schema || !metadata.metatype) return value;
    // Anything but an object (an array, a JSON scalar, no body) has none of the fields.
    const source = isJsonObject(value) ? value : {};
    const dto = new metadata.metatype() as Record<string, unknown>;
    for (const [field, { optional, rules }] of Object.entries(schema)) {
      const fieldValue = Object.hasOwn(source, field) ? source[field] : undefined;
      if (!(optional && (fieldValue === undefined || fieldValue === null))) {
        const failed = rules.find(([check]) => !check(fieldValue));
        if (failed) throw new InvalidRequestError(failed[1]);
      }
      dto[field] = fieldValue;
    }
    return dto;
  }
}
