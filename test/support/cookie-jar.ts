/** One `Set-Cookie` line, split into what tests assert on. */
export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case; flags such as `httponly` map to `true`. */
  attributes: Record<string, string | true>;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair, ...parts] = line.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const equals = part.indexOf('=');
    if (equals < 0) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, equals).toLowerCase()] = part.slice(equals + 1);
  }
  return { name: pair.slice(0, separator), value: decodeURIComponent(pair.slice(separator + 1)), attributes };
}

/** The `Set-Cookie` lines of a response (supertest's `headers`), parsed. */
export function setCookiesOf(headers: Record<string, unknown>): SetCookie[] {
  const lines = headers['set-cookie'];
  if (lines === undefined) return [];
  return (Array.isArray(lines) ? lines : [lines]).map((line) => parseSetCookie(String(line)));
}

/** True when the cookie line tells the browser to drop the cookie now. */
export function isDeletion(cookie: SetCookie): boolean {
  const expires = cookie.attributes.expires;
  return cookie.attributes['max-age'] === '0' || (typeof expires === 'string' && Date.parse(expires) <= Date.now());
}

/**
 * A browser's cookie store, reduced to what the login flow needs: one host, names and values.
 * Explicit on purpose, so a spec can copy, drop or tamper with a cookie the way an attacker would.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Applies a response's `Set-Cookie` lines, deletions included. */
  store(headers: Record<string, unknown>): this {
    for (const cookie of setCookiesOf(headers)) {
      if (isDeletion(cookie)) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): this {
    this.cookies.set(name, value);
    return this;
  }

  delete(name: string): this {
    this.cookies.delete(name);
    return this;
  }

  names(): string[] {
    return [...this.cookies.keys()];
  }

  copy(): CookieJar {
    const copy = new CookieJar();
    this.cookies.forEach((value, name) => copy.set(name, value));
    return copy;
  }

  /** The `Cookie` request header. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
  }
}
