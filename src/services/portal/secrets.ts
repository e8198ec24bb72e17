// Random tokens, their stored hashes, and password hashing (scrypt, Node's own implementation).
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** 32 random bytes, base64url: a session id, a mailed link's token, a CSRF token. */
export const randomToken = () => randomBytes(32).toString('base64url');

/** What is stored of a high-entropy token: its SHA-256 (hex); the token itself is never kept. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const scrypt = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCallback(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));

/** OWASP's scrypt settings (N=2^17, r=8, p=1): about 128 MiB and a tenth of a second per hash. */
const params = { N: 2 ** 17, r: 8, p: 1 } as const;
const keyLength = 32;
const maxmem = 256 * 1024 * 1024;

export const minPasswordLength = 10;
export const maxPasswordLength = 200;

/** "scrypt$N$r$p$salt$key" (salt and key base64url), so the settings can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, keyLength, { ...params, maxmem });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$');
  if (!parts || parts.length !== 6 || parts[0] !== 'scrypt') {
    // No password set: spend the same time, so the answer's speed does not tell whether the contact has one.
    await scrypt(password, randomBytes(16), keyLength, { ...params, maxmem });
    return false;
  }
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem });
  return timingSafeEqual(actual, expected);
}
