/**
 * The users file named by `modparam("auth", "users_file", ...)`: one user a line,
 * `username:realm:password` (split at the first two colons, so a password may contain colons),
 * `#` comments and blank lines ignored. Errors name the file and line.
 */
import { readFileSync } from 'node:fs';
import { SipwssError } from '../../errors.js';

export interface UserRecord {
  readonly username: string;
  readonly realm: string;
  readonly password: string;
}

export class UsersFileError extends SipwssError<'AUTH_USERS_FILE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTH_USERS_FILE', message, {}, options);
  }
}

export interface UserDb {
  find(username: string, realm: string): UserRecord | undefined;
  readonly size: number;
}

export function parseUsers(text: string, fileName: string): UserDb {
  const map = new Map<string, UserRecord>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (a <= 0 || b <= a + 1 || b === line.length - 1) {
      throw new UsersFileError(`${fileName}:${i + 1}: expected username:realm:password`);
    }
    const rec = { username: line.slice(0, a), realm: line.slice(a + 1, b), password: line.slice(b + 1) };
    const key = `${rec.username}\u0000${rec.realm.toLowerCase()}`;
    if (map.has(key))
      throw new UsersFileError(`${fileName}:${i + 1}: user ${rec.username}@${rec.realm} listed twice`);
    map.set(key, Object.freeze(rec));
  }
  return {
    find: (username, realm) => map.get(`${username}\u0000${realm.toLowerCase()}`),
    size: map.size,
  };
}

export function loadUsersFile(path: string): UserDb {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UsersFileError(`cannot read users file ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseUsers(text, path);
}
