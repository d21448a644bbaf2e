/**
 * The typed error every rebound constructor fails with when an option is out of range.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * An option passed to a rebound constructor is invalid. The message names the constructor, the field, the value
 * received and what was expected.
 *
 * @example
 * ```ts
 * import { InvalidOption, RetryPolicy } from "@rebound/core"
 * import { Either } from "effect"
 *
 * const result = RetryPolicy.validate({ maxAttempts: 0 })
 * if (Either.isLeft(result)) {
 *   const error: InvalidOption.InvalidOptionError = result.left
 *   console.log(error.field) // "maxAttempts"
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptionError extends Data.TaggedError("InvalidOptionError")<{
  /** The constructor that refused the options, e.g. `"RetryPolicy.make"`. */
  readonly constructorName: string
  /** The path of the bad field, e.g. `"throttling.base"`. */
  readonly field: string
  /** The value received, rendered for humans. */
  readonly value: string
  /** What the field must be. */
  readonly expected: string
}> {
  /**
   * The constructor, the field, the value received and what the field must be, in one line.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.constructorName}: option "${this.field}" must be ${this.expected}; got ${this.value}`
  }
}

/**
 * Whether a value is an `InvalidOptionError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isInvalidOptionError = (u: unknown): u is InvalidOptionError => u instanceof InvalidOptionError
