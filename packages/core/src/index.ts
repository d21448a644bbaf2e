/**
 * rebound's core: typed call failures and the retry machinery that knows nothing of AWS.
 *
 * @since 0.1.0
 */

/**
 * Backoff curves (none, full, equal and decorrelated jitter) as pure data and a pure delay function.
 *
 * @since 0.1.0
 */
export * as Backoff from "./Backoff.js"

/**
 * The failure model: `ThrottlingError`, `TransientError`, `FatalError`, and the retry summary they carry.
 *
 * @since 0.1.0
 */
export * as CallError from "./CallError.js"

/**
 * The typed error of every constructor given a bad option.
 *
 * @since 0.1.0
 */
export * as InvalidOption from "./InvalidOption.js"

/**
 * Policies that reproduce the AWS SDKs' retry modes to the number.
 *
 * @since 0.1.0
 */
export * as Presets from "./Presets.js"

/**
 * Retry policies: validated data, the pure decision, the Effect interpreter, the `Schedule` view and the context default.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
