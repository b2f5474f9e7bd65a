/** body-parser's default `parameterLimit`; past it, it answers 413 `parameters.too.many`. */
const PARAMETER_LIMIT = 1000;

/** Square brackets, literal or percent-encoded: the one place qs gives keys a structure. */
const BRACKETS = /[[\]]|%5[BD]/i;

/** qs' decoder: `+` is a space, and a malformed escape leaves the whole string as it was. */
function decode(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

export type FormFields = Record<string, string | string[]>;

/**
 * Parses an `application/x-www-form-urlencoded` body exactly as body-parser's
 * `urlencoded({ extended: false })` does (qs at depth 0), for the bodies real clients send:
 * repeated names become arrays, empty names and `__proto__` are dropped.
 *
 * Returns `undefined` for the shapes where qs applies rules of its own (square brackets,
 * more than 1000 fields); the caller hands those to body-parser itself.
 */
export function parseSimpleForm(body: string): FormFields | undefined {
  const fields: FormFields = {};
  if (body.length === 0) return fields;
  if (BRACKETS.test(body)) return undefined;
  const parts = body.split('&');
  if (parts.length > PARAMETER_LIMIT) return undefined;
  for (const part of parts) {
    const equals = part.indexOf('=');
    const name = decode(equals === -1 ? part : part.slice(0, equals));
    if (name === '' || name === '__proto__') continue;
    const value = equals === -1 ? '' : decode(part.slice(equals + 1));
    fields[name] = Object.hasOwn(fields, name) ? [fields[name], value].flat() : value;
  }
  return fields;
}
