import { CodedError } from "../ports/errors.ts";
import type { ErrorCode } from "../ports/errors.ts";

/** Storage failures, with a stable code callers can branch on. */
export class StoreError extends CodedError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "StoreError";
  }
}
