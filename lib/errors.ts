import type { ErrorClass } from './types';

/**
 * The one error type Quorum shows to users. `errorClass` is stable (tests, API responses, CLI exit
 * messages); `message` is a sentence a person can act on. Never put secrets in either.
 */
export class QuorumError extends Error {
  readonly errorClass: ErrorClass;
  constructor(errorClass: ErrorClass, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuorumError';
    this.errorClass = errorClass;
  }
  toJSON(): { class: ErrorClass; message: string } {
    return { class: this.errorClass, message: this.message };
  }
}

/** A one-line description of any thrown value, for logs and `unknown` sample reasons. */
export function describeError(e: unknown): string {
  if (e instanceof QuorumError) return `${e.errorClass}: ${e.message}`;
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
