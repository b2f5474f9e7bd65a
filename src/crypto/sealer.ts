import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Wire format version; bump it when the layout below changes. */
const FORMAT_VERSION = 1;
const VERSION_LENGTH = 1;
const KEY_ID_LENGTH = 4;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = VERSION_LENGTH + KEY_ID_LENGTH;
const MIN_SEALED_LENGTH = HEADER_LENGTH + IV_LENGTH + TAG_LENGTH;
/** Far above any Spotify token or session payload; bounds the work an attacker can ask for. */
const MAX_SEALED_TEXT_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HKDF_SALT = 'spotify-token-swap/v1';
/** IVs are cut from one CSPRNG draw per this many tokens: one OpenSSL call per token showed in profiles. */
const IVS_PER_DRAW = 1024;

let ivPool = Buffer.alloc(0);
let ivOffset = 0;

/** A fresh random 96-bit IV. Each slice of the pool is handed out once, never reused. */
function freshIv(): Buffer {
  if (ivOffset + IV_LENGTH > ivPool.length) {
    ivPool = randomBytes(IV_LENGTH * IVS_PER_DRAW);
    ivOffset = 0;
  }
  ivOffset += IV_LENGTH;
  return ivPool.subarray(ivOffset - IV_LENGTH, ivOffset);
}

/** The bytes of sealed text of this format, or `undefined` for anything this service never wrote. */
function wellFormed(sealed: string): Buffer | undefined {
  if (sealed.length > MAX_SEALED_TEXT_LENGTH || !BASE64URL.test(sealed)) return undefined;
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < MIN_SEALED_LENGTH || bytes.readUInt8(0) !== FORMAT_VERSION) return undefined;
  // The decoder ignores a stray last character and the unused bits of the final one: only the
  // exact text this service wrote opens, so a sealed value has one spelling.
  return bytes.toString('base64url') === sealed ? bytes : undefined;
}

interface SealingKey {
  id: Buffer;
  key: Buffer;
}

/** What `open` learned besides the plaintext: whether a retired secret sealed it. */
export interface Opened {
  value: string;
  sealedWithCurrentKey: boolean;
}

/** Key id of a secret: names the secret inside sealed text without revealing anything about it. */
export function keyIdOf(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, 'key-id', KEY_ID_LENGTH)).toString('hex');
}

function deriveKey(secret: string, purpose: string): SealingKey {
  return {
    id: Buffer.from(keyIdOf(secret), 'hex'),
    key: Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, `seal:${purpose}`, 32)),
  };
}

/**
 * AES-256-GCM sealing for one purpose. Layout (then base64url):
 * `version(1) | keyId(4) | iv(12) | ciphertext | tag(16)`.
 *
 * The header and the `binding` (the Spotify client id) are authenticated as associated data,
 * so a token cannot be moved to another deployment or have its key id swapped. Each purpose
 * gets its own HKDF key, so a refresh token can never be replayed as a session cookie.
 * Keys are derived once here: HKDF per request would cost ~64 µs on the hot path.
 */
export class Sealer {
  private readonly current: SealingKey;
  private readonly all: SealingKey[];
  private readonly binding: Buffer;

  constructor(purpose: string, binding: string, currentSecret: string, previousSecrets: readonly string[] = []) {
    this.current = deriveKey(currentSecret, purpose);
    // A secret listed twice, or the current one listed as previous, would cost a token naming
    // it a second decryption: one key per secret.
    const previous = [...new Set(previousSecrets)].filter((secret) => secret !== currentSecret);
    this.all = [this.current, ...previous.map((secret) => deriveKey(secret, purpose))];
    this.binding = Buffer.from(binding, 'utf8');
  }

  /** The key ids this sealer seals with (`current`) and still opens (`previous`), in hex. */
  get keyIds(): { current: string; previous: string[] } {
    const [current, ...previous] = this.all.map((key) => key.id.toString('hex'));
    return { current, previous };
  }

  seal(plaintext: string): string {
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt8(FORMAT_VERSION, 0);
    this.current.id.copy(header, VERSION_LENGTH);
    const iv = freshIv();
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(Buffer.concat([header, this.binding]));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
  }

  /**
   * Opens sealed text, or returns `undefined` for anything that does not authenticate:
   * malformed, tampered, truncated, foreign or sealed under a secret no longer listed.
   * Callers answer every one of those the same way, so nothing here says which it was.
   */
  open(sealed: string): Opened | undefined {
    const bytes = wellFormed(sealed);
    if (bytes === undefined) return undefined;
    const header = bytes.subarray(0, HEADER_LENGTH);
    const keyId = header.subarray(VERSION_LENGTH);
    const candidates = this.all.filter((candidate) => candidate.id.equals(keyId));
    // An unknown key id still pays for one decryption, so timing does not tell it apart from tampering.
    for (const candidate of candidates.length > 0 ? candidates : [this.current]) {
      const value = this.decrypt(candidate.key, header, bytes);
      if (value !== undefined && candidates.length > 0) {
        return { value, sealedWithCurrentKey: candidate === this.current };
      }
    }
    return undefined;
  }

  /**
   * Whether sealed text that did not open is well-formed but names a key this sealer does not
   * hold: for operators only (a secret dropped while its tokens are still in use), never for the
   * caller's answer. Anyone can write any key id, so it is a hint, not proof.
   */
  namesUnknownKey(sealed: string): boolean {
    const keyId = wellFormed(sealed)?.subarray(VERSION_LENGTH, HEADER_LENGTH);
    return keyId !== undefined && !this.all.some((candidate) => candidate.id.equals(keyId));
  }

  private decrypt(key: Buffer, header: Buffer, bytes: Buffer): string | undefined {
    const iv = bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + IV_LENGTH);
    const ciphertext = bytes.subarray(HEADER_LENGTH + IV_LENGTH, bytes.length - TAG_LENGTH);
    const tag = bytes.subarray(bytes.length - TAG_LENGTH);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      decipher.setAAD(Buffer.concat([header, this.binding]));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
