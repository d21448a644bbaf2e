/**
 * rebound's core: typed call failures and the retry machinery that knows nothing of AWS.
 *
 * @since 0.1.0
 */

/**
 * The failure model: `ThrottlingError`, `TransientError`, `FatalError`, and the retry summary they carry.
 *
 * @since 0.1.0
 */
export * as CallError from "./CallError.js"
