/**
 * rebound's core: typed call failures and the retry machinery that knows nothing of AWS.
 *
 * @since 0.1.0
 */

// The comment above documents the module. docgen reads a file's first comment as the documentation of its first
// statement too, so that statement is this import, which compiles to nothing, rather than a re-export.
import type {} from "./AdaptiveLimiter.js"

/**
 * The AWS SDKs' adaptive (CUBIC) client-side rate limiter as a pure state machine, with FIFO waiting.
 *
 * @since 0.1.0
 * @category modules
 */
export * as AdaptiveLimiter from "./AdaptiveLimiter.js"

/**
 * Backoff curves (none, full, equal and decorrelated jitter) as pure data and a pure delay function.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Backoff from "./Backoff.js"

/**
 * The failure model: `ThrottlingError`, `TransientError`, `FatalError`, and the retry summary they carry.
 *
 * @since 0.1.0
 * @category modules
 */
export * as CallError from "./CallError.js"

/**
 * Consecutive-failure and sampling circuit breakers as pure state machines.
 *
 * @since 0.1.0
 * @category modules
 */
export * as CircuitBreaker from "./CircuitBreaker.js"

/**
 * CloudWatch Embedded Metric Format lines for every finished call.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Emf from "./Emf.js"

/**
 * Hedged requests: extra copies of slow attempts of idempotent calls, under a budget.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Hedging from "./Hedging.js"

/**
 * The typed error of every constructor given a bad option.
 *
 * @since 0.1.0
 * @category modules
 */
export * as InvalidOption from "./InvalidOption.js"

/**
 * Recently observed latency per operation and resource (DDSketch), for quantile hedging delays.
 *
 * @since 0.1.0
 * @category modules
 */
export * as LatencyTracker from "./LatencyTracker.js"

/**
 * Policies that reproduce the AWS SDKs' retry modes to the number.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Presets from "./Presets.js"

/**
 * The Promise face: `retryAsync` and a TypeScript 5 method decorator for code outside Effect.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryAsync from "./RetryAsync.js"

/**
 * Ratio retry budgets (SRE, Finagle) and gRPC's token throttling as pure state machines.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryBudget from "./RetryBudget.js"

/**
 * One call as a pure state machine: admission, attempt outcomes, decisions and release, over the guard states.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryCall from "./RetryCall.js"

/**
 * The pure decision after a failed attempt, and the per-call state it reads.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryDecision from "./RetryDecision.js"

/**
 * Typed events for every step of every call, with observer layers and a `Stream`.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryEvent from "./RetryEvent.js"

/**
 * Retry policies: validated data, the pure decision, the Effect interpreter, the `Schedule` view and the context default.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * The AWS SDKs' retry quota (token bucket) as a pure state machine, keyed per client or per resource.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryQuota from "./RetryQuota.js"

/**
 * Logs, metrics and spans for every call.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryTelemetry from "./RetryTelemetry.js"

/**
 * The keyed store service where quota, budget, limiter and breaker state lives.
 *
 * @since 0.1.0
 * @category modules
 */
export * as StateStore from "./StateStore.js"

/**
 * Fleet-wide guards: leased guard state reconciled through a distributed engine, with local fallback.
 *
 * @since 0.1.0
 * @category modules
 */
export * as FleetStore from "./FleetStore.js"
