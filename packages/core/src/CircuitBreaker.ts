/**
 * Circuit breaking: stop calling a dependency that keeps failing, then probe it before letting traffic back.
 *
 * Closed → (failures trip it) → Open for `breakDuration`: calls fail fast with stop reason `circuitOpen` and a
 * `retryAfter` saying when it may close → HalfOpen: up to `halfOpenProbes` calls go through; a probe's success closes
 * the circuit, its failure opens it again. Two trip rules:
 *
 * - {@link consecutive}: `threshold` counted failures in a row;
 * - {@link sampling}: a failure ratio over a sliding window with a minimum throughput (Polly v8's defaults: ratio 0.1,
 *   100 calls, 30 s window, 5 s break). The window is a ring of counters, so the state has a constant size.
 *
 * Which failures count is configurable (throttling and transient by default; fatal ones show the service is
 * answering, so they count as successes). Breakers are keyed — per client instance and resource by default (see
 * `StateStore`) — and their state lives in the `StateStore`.
 *
 * No call can lock a breaker: every way a probe call ends (success, failure, interruption, a defect, a failure rebound
 * does not classify) frees its half-open place, and a place whose outcome never comes back is given to a new probe
 * after `probeTimeout`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as CallError from "./CallError.js"
import * as internal from "./internal/circuitBreaker.js"
import { StateStoreTag } from "./internal/stateStore.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * The brand of a validated circuit breaker.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand of a validated circuit breaker.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The trip rule of a consecutive-failure breaker: open after `threshold` counted failures in a row.
 *
 * @since 0.1.0
 * @category models
 */
export interface Consecutive {
  readonly _tag: "Consecutive"
  readonly threshold: number
}

/**
 * The trip rule of a sampling breaker: open when the failure ratio over a sliding window, with enough calls, reaches the limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sampling {
  readonly _tag: "Sampling"
  readonly failureRatio: number
  readonly minimumThroughput: number
  readonly windowMillis: number
  readonly slots: number
}

/**
 * A validated circuit breaker: its trip rule, how long it stays open, its half-open probes and what counts as a failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreaker {
  readonly [TypeId]: TypeId
  readonly name: string
  readonly trip: Consecutive | Sampling
  readonly breakMillis: number
  readonly halfOpenProbes: number
  /**
   * How long a half-open probe holds its place without reporting an outcome before the place is given to another
   * call. A probe whose outcome never comes back (an SDK adapter attempt whose streaming body failed, a process that
   * lost the call) can then never lock the circuit open.
   */
  readonly probeTimeoutMillis: number
  /** Failure classes that count against the circuit. */
  readonly counts: ReadonlyArray<CallError.FailureClass>
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * The sliding window of a sampling breaker: a ring of per-slot success and failure counts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Window {
  readonly slotStart: number
  readonly index: number
  readonly successes: ReadonlyArray<number>
  readonly failures: ReadonlyArray<number>
}

/**
 * Where a breaker is: closed (counting), open (until an instant) or half-open (letting probes through).
 *
 * @since 0.1.0
 * @category models
 */
export type State =
  | { readonly _tag: "Closed"; readonly consecutive: number; readonly window: Window | undefined }
  | { readonly _tag: "Open"; readonly openedAt: number; readonly until: number }
  | {
    readonly _tag: "HalfOpen"
    /** Probes let through and not yet reported. */
    readonly probes: number
    /** When the newest probe's lease ends: after it, places still held are presumed lost and given to new probes. */
    readonly leaseUntil: number
  }

/**
 * The breaker's answer before an attempt: allowed (perhaps as a half-open probe) or rejected with the time until a probe.
 *
 * @since 0.1.0
 * @category models
 */
export type Admission =
  | { readonly _tag: "Allowed"; readonly probe: boolean }
  | { readonly _tag: "Rejected"; readonly retryAfterMillis: number }

/**
 * Options shared by both kinds of breaker.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommonOptions {
  readonly name?: string | undefined
  /** How long the circuit stays open. Default 5 seconds. */
  readonly breakDuration?: Duration.DurationInput | undefined
  /** Calls let through while half-open. Default 1. */
  readonly halfOpenProbes?: number | undefined
  /** How long a probe may hold its place without an outcome. Default 10 seconds. */
  readonly probeTimeout?: Duration.DurationInput | undefined
  /** Default `["throttling", "transient"]`. */
  readonly counts?: ReadonlyArray<CallError.FailureClass> | undefined
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key?: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * Options of `consecutive`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsecutiveOptions extends CommonOptions {
  /** Default 5. */
  readonly threshold?: number | undefined
}

/**
 * Options of `sampling`; the defaults are Polly v8's.
 *
 * @since 0.1.0
 * @category models
 */
export interface SamplingOptions extends CommonOptions {
  /** In [0, 1]. Default 0.1. */
  readonly failureRatio?: number | undefined
  /** Default 100. */
  readonly minimumThroughput?: number | undefined
  /** Default 30 seconds. */
  readonly window?: Duration.DurationInput | undefined
  /** Default 10. */
  readonly slots?: number | undefined
}

/**
 * A breaker that opens after `threshold` counted failures in a row.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@rebound/core"
 *
 * const breaker = CircuitBreaker.consecutive({ threshold: 5, breakDuration: "10 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const consecutive: (options?: ConsecutiveOptions) => CircuitBreaker = internal.consecutive

/**
 * A breaker that opens when the failure ratio over a window reaches `failureRatio` with at least
 * `minimumThroughput` calls.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@rebound/core"
 *
 * const polly = CircuitBreaker.sampling({ failureRatio: 0.1, minimumThroughput: 100, window: "30 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const sampling: (options?: SamplingOptions) => CircuitBreaker = internal.sampling

/**
 * The state of a breaker that has seen no call: closed, nothing counted.
 *
 * @since 0.1.0
 * @category state machine
 */
export const initial: (breaker: CircuitBreaker, nowMillis: number) => State = internal.initial

/**
 * Lets a call through, or rejects it while open (saying how long until a probe is allowed).
 *
 * @since 0.1.0
 * @category state machine
 */
export const admit: (breaker: CircuitBreaker, state: State, nowMillis: number) => readonly [Admission, State] =
  internal.admit

/**
 * Records an attempt's outcome.
 *
 * @since 0.1.0
 * @category state machine
 */
export const record: (
  breaker: CircuitBreaker,
  state: State,
  nowMillis: number,
  outcome: "success" | CallError.FailureClass,
  probe: boolean
) => State = internal.record

/**
 * Frees the place of a probe that ended without an outcome.
 *
 * @since 0.1.0
 * @category state machine
 */
export const release: (state: State, probe: boolean) => State = internal.release

/**
 * The store key of a call's breaker.
 *
 * @since 0.1.0
 * @category state machine
 */
export const keyOf: (breaker: CircuitBreaker, context: RetryPolicy.CallContext) => string = internal.keyOf

/**
 * The current state of a call's breaker (`Closed` if it was never used).
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const breaker = CircuitBreaker.consecutive({ threshold: 5, breakDuration: "10 seconds" })
 * const program = Effect.tap(
 *   CircuitBreaker.current(breaker, { service: "DynamoDB", operation: "GetItem" }),
 *   (state) => Effect.log(`breaker: ${state._tag}`)
 * )
 * ```
 *
 * @since 0.1.0
 * @category observation
 */
export const current = (breaker: CircuitBreaker, context: RetryPolicy.CallContext): Effect.Effect<State> =>
  Effect.flatMap(StateStoreTag, (store) =>
    Effect.map(
      store.get<State>(keyOf(breaker, context)),
      Option.getOrElse((): State => ({ _tag: "Closed", consecutive: 0, window: undefined }))
    ))
