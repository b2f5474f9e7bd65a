/**
 * `sealed` with the low bit of one byte flipped (a negative offset counts from the end), encoded
 * again: what a tampered token or cookie looks like.
 */
export function flipByte(sealed: string, offset: number): string {
  const bytes = Buffer.from(sealed, 'base64url');
  bytes[offset < 0 ? bytes.length + offset : offset] ^= 0x01;
  return bytes.toString('base64url');
}
