/**
 * The failure model: every call rebound runs fails with exactly one of three tagged errors.
 *
 * - {@link ThrottlingError}: the service refused because of rate or capacity; the request was not executed.
 * - {@link TransientError}: may succeed if tried again; `ambiguous` says whether the request may have run.
 * - {@link FatalError}: retrying cannot help.
 *
 * When a retry policy gives up, the failure the caller receives carries a {@link RetrySummary}: how many attempts
 * were made, how long was spent waiting, and why retries stopped.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import { NodeInspectSymbol } from "effect/Inspectable"
import type * as Predicate from "effect/Predicate"
import * as internal from "./internal/callError.js"

/**
 * The brand shared by the three failures, so a guard can tell them from any other error.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand shared by the three failures, so a guard can tell them from any other error.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Why a retry policy stopped retrying.
 *
 * - `maxAttempts`: the attempt limit was reached.
 * - `maxElapsed`: the next retry would have ended past the time budget.
 * - `notRetryable`: the failure is fatal, or the policy's `retryOn` refused it.
 * - `notIdempotent`: the failure is ambiguous (the request may have run) and the operation is not idempotent.
 * - `quota`: the retry quota (token bucket) could not pay for another retry.
 * - `budget`: the ratio retry budget is spent.
 * - `circuitOpen`: the circuit breaker is open; the call failed fast.
 *
 * @since 0.1.0
 * @category models
 */
export type StopReason =
  | "maxAttempts"
  | "maxElapsed"
  | "notRetryable"
  | "notIdempotent"
  | "quota"
  | "budget"
  | "circuitOpen"

/**
 * What the retry machinery did for a call: on a success as on a failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallSummary {
  /** Attempts made, counting the first call. `0` when the call failed fast before any attempt. */
  readonly attempts: number
  /** Sum of the delays slept between attempts (backoff, retry-after hints and limiter waits). */
  readonly totalDelay: Duration.Duration
  /** Time from the start of the call to its end (its success, or the decision to stop). */
  readonly elapsed: Duration.Duration
  /** The name of the policy that ran the call. */
  readonly policy: string
}

/**
 * What the retry machinery did before handing a failure back to the caller.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetrySummary extends CallSummary {
  /** Why retries stopped. */
  readonly stopReason: StopReason
}

/**
 * The failure class of a {@link CallError}.
 *
 * @since 0.1.0
 * @category models
 */
export type FailureClass = "throttling" | "transient" | "fatal"

/**
 * Why a transient failure happened.
 *
 * - `network`, `timeout`, `server`, `clockSkew`: what the names say.
 * - `conflict`: the request met a concurrent one (a DynamoDB transaction in progress) and was refused.
 * - `notReady`: the resource is being set up or updated (a Lambda function `Pending`, its network interface not
 *   ready); the request was refused and will succeed once it is ready.
 *
 * @since 0.1.0
 * @category models
 */
export type TransientReason = "network" | "timeout" | "server" | "clockSkew" | "conflict" | "notReady" | "unknown"

/**
 * Why a fatal failure happened.
 *
 * @since 0.1.0
 * @category models
 */
export type FatalReason =
  | "client"
  | "auth"
  | "notFound"
  | "conflict"
  | "aborted"
  | "configuration"
  | "notIdempotent"
  | "unknown"

/**
 * Fields shared by every call failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonFields {
  /** The service called, e.g. `"DynamoDB"`. */
  readonly service: string
  /** The operation called, e.g. `"GetItem"`. */
  readonly operation: string
  /** The service's error code, e.g. `"ProvisionedThroughputExceededException"`, or a network code. */
  readonly code: string
  /**
   * The service's own message, when it sent one. It can echo request input, so rebound never puts it in `message`,
   * `toJSON`, `util.inspect`, logs, events, metrics or spans (the field is not enumerable); read it here when you need
   * it.
   */
  readonly detail?: string | undefined
  /** The HTTP status of the response, when there was one. */
  readonly httpStatus?: number | undefined
  /** The service's request id, to quote to AWS support. */
  readonly requestId?: string | undefined
  /** S3's extended request id (`x-amz-id-2`). */
  readonly extendedRequestId?: string | undefined
  /** How long the service asked the caller to wait before trying again. */
  readonly retryAfter?: Duration.Duration | undefined
  /** The resource the failure concerns (a table, index, bucket prefix or function), used to key budgets. */
  readonly resource?: string | undefined
  /**
   * The original error, or a summary of it safe to render (the AWS shell keeps a summary). Only its name and code
   * are serialised by `toJSON`; other renderings (`util.inspect`, `Cause.pretty`) show what it holds, so put nothing
   * secret here.
   */
  readonly cause?: unknown
  /** Filled in when a retry policy gave up on this failure. */
  readonly retries?: RetrySummary | undefined
}

/**
 * The service refused the request because of rate or capacity (HTTP 429, `ThrottlingException`,
 * `ProvisionedThroughputExceededException`, `SlowDown`, `TooManyRequestsException`, …). The request was not executed,
 * so it is always safe to retry.
 *
 * @example
 * ```ts
 * import { CallError } from "@rebound/core"
 * import { Duration } from "effect"
 *
 * const error = new CallError.ThrottlingError({
 *   service: "DynamoDB",
 *   operation: "GetItem",
 *   code: "ProvisionedThroughputExceededException",
 *   httpStatus: 400,
 *   retryAfter: Duration.seconds(1)
 * })
 * console.log(error.message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ThrottlingError extends Data.TaggedError("ThrottlingError")<
  CommonFields & {
    /** A service-specific reason, e.g. Lambda's `ReservedFunctionConcurrentInvocationLimitExceeded`. */
    readonly throttleReason?: string | undefined
  }
> {
  /**
   * The brand shared by rebound's failures.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  constructor(args: ThrottlingError.Fields) {
    super(args)
    internal.hideDetail(this)
  }
  /**
   * Throttled requests were not executed.
   *
   * @since 0.1.0
   */
  get ambiguous(): false {
    return false
  }
  /**
   * The failure's class as guards, events and metrics name it: `"throttling"`.
   *
   * @since 0.1.0
   */
  get failureClass(): "throttling" {
    return "throttling"
  }
  /**
   * Service, operation, code, HTTP status, request id, the retry summary and advice — never the service's own message,
   * which can echo request input (it stays in `detail`).
   *
   * @since 0.1.0
   */
  override get message(): string {
    return internal.describe(this, "throttled", internal.throttlingAdvice(this))
  }
  /**
   * A plain object for logs and JSON: codes, statuses, ids, timings and the retry summary — never the service's
   * message or a payload.
   *
   * @since 0.1.0
   */
  override toJSON(): unknown {
    return internal.toJSON(this)
  }
  /**
   * Inspected as the error itself, never as the proxy that carries the current span when Effect fails with it
   * (`Cause.originalError`): inspectors that follow a custom inspection until it changes (chai's, in vitest) would
   * otherwise loop until the stack overflows.
   *
   * @since 0.1.0
   */
  override [NodeInspectSymbol](): unknown {
    return internal.inspectable(this)
  }
}

/**
 * Types that belong to `ThrottlingError`.
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace ThrottlingError {
  /**
   * What the constructor takes.
   *
   * @since 0.1.0
   * @category models
   */
  export type Fields = CommonFields & {
    /** A service-specific reason, e.g. Lambda's `ReservedFunctionConcurrentInvocationLimitExceeded`. */
    readonly throttleReason?: string | undefined
  }
}

/**
 * The call may succeed if tried again: a 5xx, a timeout, a network failure or clock skew. `ambiguous` is true when
 * the request may have been executed (a response timeout, a reset after the request was written, most 5xx); a
 * policy retries an ambiguous failure only when the operation is idempotent.
 *
 * @example
 * ```ts
 * import { CallError } from "@rebound/core"
 *
 * const error = new CallError.TransientError({
 *   service: "Lambda",
 *   operation: "Invoke",
 *   code: "ECONNRESET",
 *   reason: "network",
 *   ambiguous: true
 * })
 * console.log(error.ambiguous) // true: the function may have run
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TransientError extends Data.TaggedError("TransientError")<
  CommonFields & {
    readonly reason: TransientReason
    /** True when the request may have been executed by the service. */
    readonly ambiguous: boolean
  }
> {
  /**
   * The brand shared by rebound's failures.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  constructor(args: TransientError.Fields) {
    super(args)
    internal.hideDetail(this)
  }
  /**
   * The failure's class as guards, events and metrics name it: `"transient"`.
   *
   * @since 0.1.0
   */
  get failureClass(): "transient" {
    return "transient"
  }
  /**
   * Service, operation, code, HTTP status, request id, the retry summary and advice — never the service's own message,
   * which can echo request input (it stays in `detail`).
   *
   * @since 0.1.0
   */
  override get message(): string {
    return internal.describe(this, `failed transiently (${this.reason})`, internal.transientAdvice(this))
  }
  /**
   * A plain object for logs and JSON: codes, statuses, ids, timings and the retry summary — never the service's
   * message or a payload.
   *
   * @since 0.1.0
   */
  override toJSON(): unknown {
    return internal.toJSON(this)
  }
  /**
   * Inspected as the error itself, never as the proxy that carries the current span when Effect fails with it
   * (`Cause.originalError`): inspectors that follow a custom inspection until it changes (chai's, in vitest) would
   * otherwise loop until the stack overflows.
   *
   * @since 0.1.0
   */
  override [NodeInspectSymbol](): unknown {
    return internal.inspectable(this)
  }
}

/**
 * Types that belong to `TransientError`.
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace TransientError {
  /**
   * What the constructor takes.
   *
   * @since 0.1.0
   * @category models
   */
  export type Fields = CommonFields & {
    readonly reason: TransientReason
    /** True when the request may have been executed by the service. */
    readonly ambiguous: boolean
  }
}

/**
 * Retrying cannot help: validation errors, access denied, not found, configuration errors, aborts.
 *
 * @example
 * ```ts
 * import { CallError } from "@rebound/core"
 *
 * const error = new CallError.FatalError({
 *   service: "S3",
 *   operation: "GetObject",
 *   code: "NoSuchKey",
 *   httpStatus: 404,
 *   reason: "notFound"
 * })
 * console.log(error.message)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FatalError extends Data.TaggedError("FatalError")<
  CommonFields & {
    readonly reason: FatalReason
  }
> {
  /**
   * The brand shared by rebound's failures.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  constructor(args: FatalError.Fields) {
    super(args)
    internal.hideDetail(this)
  }
  /**
   * Fatal failures are never retried, so the question does not arise.
   *
   * @since 0.1.0
   */
  get ambiguous(): false {
    return false
  }
  /**
   * The failure's class as guards, events and metrics name it: `"fatal"`.
   *
   * @since 0.1.0
   */
  get failureClass(): "fatal" {
    return "fatal"
  }
  /**
   * Service, operation, code, HTTP status, request id, the retry summary and advice — never the service's own message,
   * which can echo request input (it stays in `detail`).
   *
   * @since 0.1.0
   */
  override get message(): string {
    return internal.describe(this, `failed (${this.reason})`, internal.fatalAdvice(this))
  }
  /**
   * A plain object for logs and JSON: codes, statuses, ids, timings and the retry summary — never the service's
   * message or a payload.
   *
   * @since 0.1.0
   */
  override toJSON(): unknown {
    return internal.toJSON(this)
  }
  /**
   * Inspected as the error itself, never as the proxy that carries the current span when Effect fails with it
   * (`Cause.originalError`): inspectors that follow a custom inspection until it changes (chai's, in vitest) would
   * otherwise loop until the stack overflows.
   *
   * @since 0.1.0
   */
  override [NodeInspectSymbol](): unknown {
    return internal.inspectable(this)
  }
}

/**
 * Types that belong to `FatalError`.
 *
 * @since 0.1.0
 * @category models
 */
export declare namespace FatalError {
  /**
   * What the constructor takes.
   *
   * @since 0.1.0
   * @category models
   */
  export type Fields = CommonFields & {
    readonly reason: FatalReason
  }
}

/**
 * A failure that a retry may fix.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryableError = ThrottlingError | TransientError

/**
 * Any failure of a call made through rebound.
 *
 * @example
 * ```ts
 * import { CallError } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const call: Effect.Effect<string, CallError.CallError> = Effect.succeed("ok") // your call
 *
 * const handled = call.pipe(
 *   Effect.catchTags({
 *     ThrottlingError: (e) => Effect.succeed(`slow down: ${e.code}`),
 *     TransientError: (e) => Effect.succeed(`try later: ${e.reason}`),
 *     FatalError: (e) => Effect.succeed(`give up: ${e.reason}`)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CallError = RetryableError | FatalError

/**
 * Whether a value is one of rebound's failures (`ThrottlingError`, `TransientError` or `FatalError`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isCallError: Predicate.Refinement<unknown, CallError> = internal.isCallError

/**
 * Whether a value is a failure that a policy may retry: a `ThrottlingError` or a `TransientError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryableError: Predicate.Refinement<unknown, RetryableError> = (u): u is RetryableError =>
  isCallError(u) && u._tag !== "FatalError"

/**
 * Whether a value is a `ThrottlingError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isThrottlingError: Predicate.Refinement<unknown, ThrottlingError> = (u): u is ThrottlingError =>
  isCallError(u) && u._tag === "ThrottlingError"

/**
 * Whether a value is a `TransientError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTransientError: Predicate.Refinement<unknown, TransientError> = (u): u is TransientError =>
  isCallError(u) && u._tag === "TransientError"

/**
 * Whether a value is a `FatalError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isFatalError: Predicate.Refinement<unknown, FatalError> = (u): u is FatalError =>
  isCallError(u) && u._tag === "FatalError"

/**
 * Returns a copy of the failure that carries the given retry summary.
 *
 * @example
 * ```ts
 * import { CallError } from "@rebound/core"
 * import { Duration } from "effect"
 *
 * const error = new CallError.FatalError({ service: "S3", operation: "GetObject", code: "NoSuchKey", reason: "notFound" })
 * const summarised = CallError.withRetries(error, {
 *   attempts: 1,
 *   totalDelay: Duration.zero,
 *   elapsed: Duration.millis(12),
 *   stopReason: "notRetryable",
 *   policy: "aws-js-2026"
 * })
 * console.log(summarised.retries?.stopReason) // "notRetryable"
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRetries: <E extends CallError>(error: E, retries: RetrySummary) => E = internal.withRetries

/**
 * Returns a copy of the failure with some fields replaced (for classifiers that refine a failure).
 *
 * @since 0.1.0
 * @category combinators
 */
export const copy: <E extends CallError>(error: E, fields: Partial<CommonFields>) => E = internal.copy

/**
 * A one-line description of a summary, e.g. `"gave up after 3 attempts in 1.2s (maxAttempts)"`.
 *
 * @example
 * ```ts
 * import { CallError } from "@rebound/core"
 * import { Duration } from "effect"
 *
 * const summary: CallError.RetrySummary = {
 *   attempts: 3,
 *   totalDelay: Duration.millis(150),
 *   elapsed: Duration.millis(1200),
 *   stopReason: "maxAttempts",
 *   policy: "rebound"
 * }
 * console.log(CallError.describeRetries(summary)) // gave up after 3 attempts in 1s 200ms (maxAttempts, policy rebound)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const describeRetries = (summary: RetrySummary): string =>
  `gave up after ${summary.attempts} attempt${summary.attempts === 1 ? "" : "s"} in ${
    Duration.format(summary.elapsed) || "0ms"
  } (${summary.stopReason}, policy ${summary.policy})`
