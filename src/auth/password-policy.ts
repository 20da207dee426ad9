import { Inject, Injectable } from '@nestjs/common';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import commonPasswords from './common-passwords.json';

/** Longest password accepted (argon2 hashes anything, but a bound keeps hashing cheap). */
export const PASSWORD_MAX_LENGTH = 200;

const COMMON = new Set(commonPasswords.passwords);

/** True when the password (ignoring case and spaces) is one of the shipped most common breached passwords. */
export function isCommonPassword(password: string): boolean {
  const plain = password.toLowerCase();
  return COMMON.has(plain) || COMMON.has(plain.replace(/\s+/g, ''));
}

/**
 * The rules every new password meets (creation, change, reset, the create-admin command): at
 * least PASSWORD_MIN_LENGTH characters, at most 200, not one of the most common passwords of
 * public breaches (src/auth/common-passwords.json), and not the account's email address.
 */
@Injectable()
export class PasswordPolicy {
  constructor(@Inject(AUTH_SETTINGS) private readonly settings: AuthSettings) {}

  /** Throws a 400 whose message says what to change. */
  check(password: string, account: { email?: string } = {}, field = 'password'): void {
    const refuse = (message: string) => {
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, message, { field });
    };
    const min = this.settings.passwordMinLength;
    const length = [...password].length;
    if (length < min) refuse(`The password must be at least ${min} characters long`);
    if (length > PASSWORD_MAX_LENGTH) refuse(`The password must be at most ${PASSWORD_MAX_LENGTH} characters long`);
    if (isCommonPassword(password)) {
      refuse('This password is one of the most common passwords found in data breaches; choose another');
    }
    const email = account.email?.trim().toLowerCase();
    if (email && (password.toLowerCase() === email || password.toLowerCase() === email.split('@')[0])) {
      refuse('The password must not be the email address');
    }
  }
}
