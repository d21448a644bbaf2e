/**
 * rebound's core: typed call failures and the retry machinery that knows nothing of AWS.
 *
 * @since 0.1.0
 */

/**
 * The AWS SDKs' adaptive (CUBIC) client-side rate limiter as a pure state machine, with FIFO waiting.
 *
 * @since 0.1.0
 */
export * as AdaptiveLimiter from "./AdaptiveLimiter.js"

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
 * Consecutive-failure and sampling circuit breakers as pure state machines.
 *
 * @since 0.1.0
 */
export * as CircuitBreaker from "./CircuitBreaker.js"

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
 * Ratio retry budgets (SRE, Finagle) and gRPC's token throttling as pure state machines.
 *
 * @since 0.1.0
 */
export * as RetryBudget from "./RetryBudget.js"

/**
 * Retry policies: validated data, the pure decision, the Effect interpreter, the `Schedule` view and the context default.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * The AWS SDKs' retry quota (token bucket) as a pure state machine, keyed per client or per resource.
 *
 * @since 0.1.0
 */
export * as RetryQuota from "./RetryQuota.js"

/**
 * The keyed store service where quota, budget, limiter and breaker state lives.
 *
 * @since 0.1.0
 */
export * as StateStore from "./StateStore.js"
