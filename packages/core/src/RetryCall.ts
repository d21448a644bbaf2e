/**
 * One call, as a pure state machine: admission by the guards, each attempt's outcome (success, failure, interruption,
 * defect), the decision (retry after d, or stop because …) and the release of whatever the call held.
 *
 * Every shell runs this machine and nothing else decides: the Effect interpreter (`RetryPolicy.retry`), the step-wise
 * session (`RetryPolicy.session`) behind the AWS SDK's `RetryStrategy` adapter, the Promise face (`RetryAsync`) and
 * the simulator. A step takes the call's state, the states of the guards it touches (as the `StateStore` holds them),
 * and an input carrying the time and, for a failure, the random draw; it returns the next states, an output saying
 * what the shell must do, and the events to publish. So the same decisions are unit-tested, simulated at scale and run
 * in production, on the same numbers.
 *
 * The protocol: `Admit` before every attempt (the breaker may stop the call; the limiter may ask it to `Wait`, then
 * `Recheck` until it may `Proceed`), then `Succeeded` or `Failed` with the attempt's outcome; on `Retry`, wait
 * `delayMillis` and `Admit` again.
 *
 * Hedging (a policy with `hedging`, an idempotent call): `Proceed` carries `hedgeAfterMillis`; when that much time has
 * passed with the attempt still in flight, the shell steps `Hedge`, and the machine answers `Hedge` (send copy `copy`
 * of the attempt now, and step `Hedge` again after `hedgeAfterMillis` if it is set) or `Pending` (no hedge: the
 * budget, a pause, the breaker, the quota or the time budget said no; after an empty budget, `hedgeAfterMillis` says
 * when to ask again). Each copy's outcome is stepped with its `copy`
 * number. A copy that fails while others are in flight answers `Pending` (it drops out), unless the failure is fatal
 * (`Stop`); the first success answers `Succeeded`, listing the copies the shell must cancel (`cancelled`). Every other way a call can end — interrupted, a defect, a failure that is not a
 * `CallError` — goes through `Release`, which gives back a half-open probe's place and a limiter reservation and closes
 * the call with a `CallAborted` event. After `Done`, every input is a no-op.
 *
 * @since 0.1.0
 */
import type * as AdaptiveLimiter from "./AdaptiveLimiter.js"
import type * as CallError from "./CallError.js"
import type * as CircuitBreaker from "./CircuitBreaker.js"
import type * as Hedging from "./Hedging.js"
import * as internal from "./internal/retryCall.js"
import type * as RetryBudget from "./RetryBudget.js"
import type * as RetryDecision from "./RetryDecision.js"
import type * as RetryEvent from "./RetryEvent.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import type * as StateStore from "./StateStore.js"

/**
 * The kinds of guard a policy can carry: the four retry guards, and the hedge budget.
 *
 * @since 0.1.0
 * @category models
 */
export type GuardKind = "breaker" | "limiter" | "budget" | "quota" | "hedge"

/**
 * The store keys of a call's guards (`undefined` for guards its policy lacks, or all of them for a call that bypasses
 * guards).
 *
 * @since 0.1.0
 * @category models
 */
export type Keys = { readonly [K in GuardKind]: string | undefined }

/**
 * The states of the guards one call touches, as the store holds them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Guards {
  readonly breaker: CircuitBreaker.State | undefined
  readonly limiter: AdaptiveLimiter.State | undefined
  readonly budget: RetryBudget.State | undefined
  /** Tokens left in the retry quota. */
  readonly quota: number | undefined
  /** The hedge budget (and its pause after a throttle). */
  readonly hedge: Hedging.State | undefined
}

/**
 * Where a call is: not yet admitted (`New`), being admitted, waiting for the limiter, with an attempt in flight,
 * between a failure and the next admission (`Retrying`), or ended.
 *
 * @since 0.1.0
 * @category models
 */
export type Phase = "New" | "Admitting" | "Waiting" | "Attempting" | "Retrying" | "Done"

/**
 * Why a call ended without a verdict.
 *
 * @since 0.1.0
 * @category models
 */
export type AbortReason = RetryEvent.AbortReason

/**
 * One call's own state. Plain data: a step never mutates it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly policy: RetryPolicy.RetryPolicy
  readonly context: RetryPolicy.CallContext
  /** Overrides the policy's `idempotent` for this call. */
  readonly idempotent: boolean | undefined
  readonly keys: Keys
  /** False when the call touches no guard (its policy has none, or it bypasses them). */
  readonly guarded: boolean
  /** Set when someone observes: events are built only then. */
  readonly info: RetryEvent.CallInfo | undefined
  readonly startedAt: number
  readonly phase: Phase
  /** Attempts and delays so far, as the decision reads them. */
  readonly retry: RetryDecision.State
  /** Whether the attempt being admitted or in flight holds a half-open breaker's probe place. */
  readonly probe: boolean
  /** The limiter reservation the call is waiting on, if any. */
  readonly ticket: number | undefined
  readonly waitingSince: number
  /** When the current attempt was sent. */
  readonly sentAt: number
  /** The quota cost paid for the latest retry, refunded if the call succeeds. */
  readonly lastRetryCost: number | undefined
  readonly lastError: CallError.CallError | undefined
  /** The latency estimate a quantile hedging delay reads, taken when the call started. */
  readonly latencyMillis: number | undefined
  /** Copies of the current attempt in flight (0: the attempt itself, k: the call's k-th hedge); empty: no hedging. */
  readonly copies: ReadonlyArray<number>
  /** Hedges started so far. */
  readonly hedges: number
  /** The quota paid for hedges, given back if the call succeeds. */
  readonly hedgeCost: number
}

/**
 * What a call starts from: its policy, context, the time, and whether it bypasses guards or is observed.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  readonly policy: RetryPolicy.RetryPolicy
  readonly context: RetryPolicy.CallContext
  readonly now: number
  readonly idempotent?: boolean | undefined
  /** A cleanup or compensation call: never refused by a breaker, budget or quota, and it touches none of them. */
  readonly bypassGuards?: boolean | undefined
  /** Who the call is, for events; leave it out when nobody observes and no event is built. */
  readonly info?: RetryEvent.CallInfo | undefined
  /**
   * For a policy whose hedging delay is a quantile: the tracker's estimate for the call's operation and resource
   * (`LatencyTracker.quantile`), or `undefined` while it has too few samples.
   */
  readonly latencyMillis?: number | undefined
}

/**
 * What happened, with the time it happened (milliseconds on the shell's clock).
 *
 * @since 0.1.0
 * @category models
 */
export type Input =
  | {
    /** Before an attempt. */
    readonly _tag: "Admit"
    readonly now: number
    /** The attempt will be sent this long after `now` (a shell that sleeps the retry delay on its own). Default 0. */
    readonly afterMillis?: number | undefined
    /**
     * `true`: the shell sends after the wait it is told, without re-estimating (the SDK adapter); the attempt counts
     * as started at once. `false` (default): a limiter wait answers `Wait`, and the shell re-estimates with `Recheck`.
     */
    readonly commit?: boolean | undefined
  }
  | { readonly _tag: "Recheck"; readonly now: number }
  | {
    /** The hedge delay of attempt `attempt` has passed (a timer set from `hedgeAfterMillis`). */
    readonly _tag: "Hedge"
    readonly now: number
    readonly attempt: number
  }
  | {
    readonly _tag: "Succeeded"
    readonly now: number
    /** Which copy succeeded (default 0, the attempt itself). */
    readonly copy?: number | undefined
  }
  | {
    readonly _tag: "Failed"
    readonly now: number
    /** Which copy failed (default 0, the attempt itself). */
    readonly copy?: number | undefined
    readonly error: CallError.CallError
    /** One uniform draw in [0, 1) for the backoff's jitter. */
    readonly draw: number
    /** Replaces the decided delay (a shell with a delay source of its own); the decision still rules. */
    readonly delayMillis?: number | undefined
  }
  | { readonly _tag: "Release"; readonly now: number; readonly reason: AbortReason }

/**
 * What the shell must do next.
 *
 * @since 0.1.0
 * @category models
 */
export type Output =
  | {
    /** Send attempt number `attempt` now (after `waitMillis`, for a committed admission). */
    readonly _tag: "Proceed"
    readonly attempt: number
    /** How long the attempt waited (or, committed, must wait) for the limiter. */
    readonly waitMillis: number
    /** Set when the attempt may be hedged: step `Hedge` this long after sending it, if it is still in flight. */
    readonly hedgeAfterMillis?: number | undefined
  }
  | {
    /** Send copy `copy` of attempt `attempt` now; if `hedgeAfterMillis` is set, step `Hedge` again after it. */
    readonly _tag: "Hedge"
    readonly attempt: number
    readonly copy: number
    readonly hedgeAfterMillis: number | undefined
  }
  | {
    /**
     * Nothing to do now: wait for the copies still in flight. With `hedgeAfterMillis`, a hedge was refused by an empty
     * budget: step `Hedge` again after that long (the bucket refills as calls pass).
     */
    readonly _tag: "Pending"
    readonly hedgeAfterMillis?: number | undefined
  }
  | {
    /** The limiter holds the attempt: sleep (at most `recheckMillis`), then `Recheck`. */
    readonly _tag: "Wait"
    readonly waitMillis: number
  }
  | { readonly _tag: "Retry"; readonly delayMillis: number; readonly basis: "backoff" | "retryAfter" }
  | {
    readonly _tag: "Succeeded"
    readonly summary: CallError.CallSummary
    /** Copies still in flight, which the shell must cancel (abort and await). */
    readonly cancelled?: ReadonlyArray<number> | undefined
    /** For a quantile hedging delay: the latency to record (the attempt's own, or how long it ran before losing). */
    readonly observedMillis?: number | undefined
  }
  | {
    /** The call fails: with `failure` (the last failure, or a fail-fast one) and `summary` (see {@link stopError}). */
    readonly _tag: "Stop"
    readonly reason: CallError.StopReason
    readonly failure: CallError.CallError
    readonly summary: CallError.RetrySummary
    /** Copies still in flight (a fatal failure of one copy), which the shell must cancel. */
    readonly cancelled?: ReadonlyArray<number> | undefined
  }
  | { readonly _tag: "Released" }

/**
 * One step's result: the call's and the guards' next states, what the shell must do, and the events to publish.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly call: Call
  readonly guards: Guards
  readonly output: Output
  readonly events: ReadonlyArray<RetryEvent.RetryEvent>
}

/**
 * A call before its first admission.
 *
 * @example
 * ```ts
 * import { Presets, RetryCall } from "@rebound/core"
 *
 * const call = RetryCall.start({
 *   policy: Presets.awsJs2026,
 *   context: { service: "DynamoDB", operation: "GetItem", resource: "orders" },
 *   now: 0
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const start: (options: StartOptions) => Call = internal.start

/**
 * One step of the machine. Pure: the same states and input give the same result.
 *
 * @example
 * ```ts
 * import { Presets, RetryCall } from "@rebound/core"
 * import { Testing } from "@rebound/core/testing"
 *
 * let call = RetryCall.start({ policy: Presets.awsJs2026, context: { service: "S3", operation: "GetObject" }, now: 0 })
 * let guards = RetryCall.initialGuards(call, 0)
 * const admitted = RetryCall.step(call, guards, { _tag: "Admit", now: 0 })
 * ;({ call, guards } = admitted)
 * const failed = RetryCall.step(call, guards, {
 *   _tag: "Failed",
 *   now: 12,
 *   error: Testing.failureOf("throttle")!,
 *   draw: 0.5
 * })
 * console.log(failed.output) // { _tag: "Retry", delayMillis: 500, basis: "backoff" }
 * ```
 *
 * @since 0.1.0
 * @category state machine
 */
export const step: (call: Call, guards: Guards, input: Input) => Result = internal.step

/**
 * The error a stopped call fails with: its last failure carrying the `RetrySummary` (`error.retries`).
 *
 * @since 0.1.0
 * @category state machine
 */
export const stopError: (output: {
  readonly failure: CallError.CallError
  readonly summary: CallError.RetrySummary
}) => CallError.CallError = internal.stopError

/**
 * Whether a step with this input reads or changes guard state (a shell skips the store when it does not).
 *
 * @since 0.1.0
 * @category state machine
 */
export const touchesGuards: (call: Call, input: Input) => boolean = internal.touchesGuards

/**
 * Whether a `Release` step now would change anything: a half-open probe's place or a limiter reservation to give back,
 * or an observer to tell (a call started with `info`). When it would not, a shell need not arrange to release the call
 * if it ends without a verdict — the Effect interpreter installs its release-on-abort only from the step after which it
 * would matter.
 *
 * @since 0.1.0
 * @category state machine
 */
export const needsRelease: (call: Call) => boolean = internal.needsRelease

/**
 * The store keys of a policy's guards for a call.
 *
 * @since 0.1.0
 * @category state machine
 */
export const keysOf: (policy: RetryPolicy.RetryPolicy, context: RetryPolicy.CallContext) => Keys = internal.keysOf

/**
 * A guard's state before its first use.
 *
 * @since 0.1.0
 * @category state machine
 */
export const initialGuard: (policy: RetryPolicy.RetryPolicy, kind: GuardKind, nowMillis: number) => unknown =
  internal.initialGuard

/**
 * Fresh states of every guard a call has keys for — what a store holds before anyone used them.
 *
 * @since 0.1.0
 * @category state machine
 */
export const initialGuards = (call: Call, nowMillis: number): Guards => {
  const fresh = <K extends GuardKind>(kind: K): Guards[K] =>
    call.keys[kind] === undefined ? undefined : (internal.initialGuard(call.policy, kind, nowMillis) as Guards[K])
  return {
    breaker: fresh("breaker"),
    limiter: fresh("limiter"),
    budget: fresh("budget"),
    quota: fresh("quota"),
    hedge: fresh("hedge")
  }
}

/**
 * No guard states: for a call whose policy has none.
 *
 * @since 0.1.0
 * @category state machine
 */
export const noGuards: Guards = internal.noGuards

/**
 * The guard a policy carries for a kind (`hedge`: its `hedging`), as a store that leases or merges state needs it.
 *
 * @since 0.1.0
 * @category state machine
 */
export const guardOf: (policy: RetryPolicy.RetryPolicy, kind: GuardKind) => StateStore.Guard | undefined =
  internal.guardOf

/**
 * The guard kinds, in the order a store sees them.
 *
 * @since 0.1.0
 * @category state machine
 */
export const guardKinds: ReadonlyArray<GuardKind> = internal.guardKinds
