/**
 * Every step of every call, as typed events: attempts started and failed, retries scheduled (with the delay and why
 * that delay), retries stopped (with the reason), calls succeeded, hedges started, skipped, won and cancelled, and the
 * level of quotas and budgets, the rate of limiters and the state of breakers as they change.
 *
 * Subscribe with an observer layer ({@link addObserver}, like Effect's `Logger.add`) or as a `Stream`
 * ({@link layerStream}). When nobody subscribes, the interpreter builds no events at all.
 *
 * Events carry no secrets and no payloads: no credentials, signatures, tokens, request or response bodies, and not
 * even the service's error message (which can echo input) — only codes, statuses, request ids and timings.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as CallError from "./CallError.js"
import type * as Hedging from "./Hedging.js"
import * as internal from "./internal/retryEvent.js"

/**
 * What every call event says about the call.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallInfo {
  /** A process-wide sequence number, to tell concurrent calls apart. */
  readonly id: number
  readonly service: string
  readonly operation: string
  readonly resource?: string | undefined
  /** The policy's name. */
  readonly policy: string
}

/**
 * What an event says about a failure: no message, no payload.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailureInfo {
  readonly tag: CallError.CallError["_tag"]
  readonly failureClass: CallError.FailureClass
  readonly code: string
  readonly reason?: string | undefined
  readonly ambiguous: boolean
  readonly httpStatus?: number | undefined
  readonly requestId?: string | undefined
  readonly retryAfterMillis?: number | undefined
}

/**
 * Why a call ended without a verdict: interrupted, a defect, or a failure that is not a `CallError`.
 *
 * @since 0.1.0
 * @category models
 */
export type AbortReason = "interrupted" | "defect" | "unclassified"

/**
 * Every event rebound emits: one per step of every call, and one per change of a guard's state.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryEvent = Data.TaggedEnum<{
  /** An attempt is about to be sent. */
  AttemptStarted: { readonly call: CallInfo; readonly attempt: number; readonly at: number }
  /** An attempt waited for the adaptive rate limiter before being sent. */
  AttemptDelayed: {
    readonly call: CallInfo
    readonly attempt: number
    readonly waitMillis: number
    readonly reason: "limiter"
    readonly at: number
  }
  /** An attempt failed. */
  AttemptFailed: {
    readonly call: CallInfo
    readonly attempt: number
    readonly durationMillis: number
    readonly failure: FailureInfo
    readonly at: number
  }
  /** A retry was scheduled: the delay, and why that delay (the backoff curve or the service's hint). */
  RetryScheduled: {
    readonly call: CallInfo
    /** The attempt that failed. */
    readonly attempt: number
    /** How it failed. */
    readonly failure: FailureInfo
    readonly delayMillis: number
    readonly backoffMillis: number
    readonly basis: "backoff" | "retryAfter"
    readonly at: number
  }
  /** The policy stopped retrying; the call fails. */
  RetriesStopped: {
    readonly call: CallInfo
    readonly attempts: number
    readonly totalDelayMillis: number
    readonly elapsedMillis: number
    readonly stopReason: CallError.StopReason
    readonly failure: FailureInfo
    readonly at: number
  }
  /**
   * The call ended without a verdict from the retry machinery: its fiber was interrupted (a caller's timeout, a lost
   * race), the attempt died with a defect, or it failed with an error that is not a `CallError`. Whatever the call
   * held (a half-open probe's place, a limiter reservation) has been given back. Like `Succeeded` and
   * `RetriesStopped`, it closes the call: every call ends with exactly one of the three.
   */
  CallAborted: {
    readonly call: CallInfo
    readonly reason: AbortReason
    /** Attempts sent, counting the one in flight when the call ended. */
    readonly attempts: number
    readonly totalDelayMillis: number
    readonly elapsedMillis: number
    readonly at: number
  }
  /** The call succeeded. */
  Succeeded: {
    readonly call: CallInfo
    readonly attempts: number
    readonly totalDelayMillis: number
    readonly elapsedMillis: number
    readonly at: number
  }
  /** A hedge of attempt `attempt` was sent: the call's `hedge`-th extra copy, `delayMillis` after the previous copy. */
  HedgeStarted: {
    readonly call: CallInfo
    readonly attempt: number
    readonly hedge: number
    readonly delayMillis: number
    readonly at: number
  }
  /** A hedge was due but not sent: the budget, a pause after throttling, the breaker, the quota or the time budget. */
  HedgeSkipped: {
    readonly call: CallInfo
    readonly attempt: number
    readonly reason: Hedging.SkipReason
    readonly at: number
  }
  /** A hedge's outcome won: the call succeeded with it. */
  HedgeWon: { readonly call: CallInfo; readonly attempt: number; readonly hedge: number; readonly at: number }
  /**
   * A copy still in flight when another settled the call was cancelled (its request aborted, and awaited). `copy` 0 is
   * the attempt itself, k the call's k-th hedge.
   */
  HedgeCancelled: { readonly call: CallInfo; readonly attempt: number; readonly copy: number; readonly at: number }
  /** A retry quota's level changed. */
  QuotaChanged: {
    readonly key: string
    readonly tokens: number
    readonly capacity: number
    readonly delta: number
    readonly at: number
  }
  /** A retry budget was asked for a retry; `remaining` is what is left (retries in the window, or tokens). */
  BudgetChecked: { readonly key: string; readonly allowed: boolean; readonly remaining: number; readonly at: number }
  /** An adaptive limiter's allowed rate changed. */
  LimiterRateChanged: {
    readonly key: string
    readonly enabled: boolean
    readonly fillRate: number
    readonly measuredTxRate: number
    readonly at: number
  }
  /** A circuit breaker changed state. */
  BreakerStateChanged: {
    readonly key: string
    readonly from: "Closed" | "Open" | "HalfOpen"
    readonly to: "Closed" | "Open" | "HalfOpen"
    readonly at: number
  }
  /**
   * A fleet store could not reach its engine (Redis, DynamoDB) within its bound: calls go on under this process's
   * local guard state, and it keeps trying. `reason` is the engine's error code, never its message.
   */
  StoreFellBack: { readonly store: string; readonly reason: string; readonly at: number }
  /** A fleet store reached its engine again after falling back: fleet-wide guard state resumes. */
  StoreResumed: { readonly store: string; readonly downMillis: number; readonly at: number }
}>

/**
 * Constructors and matchers (`RetryEvent.$is("RetryScheduled")`, `RetryEvent.$match`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const RetryEvent = internal.RetryEvent

/**
 * A type guard for one kind of event.
 *
 * @example
 * ```ts
 * import { RetryEvent } from "@rebound/core"
 *
 * const isRetry = RetryEvent.$is("RetryScheduled")
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const $is = internal.RetryEvent.$is

/**
 * Exhaustive matching on the kind of event.
 *
 * @since 0.1.0
 * @category pattern matching
 */
export const $match = internal.RetryEvent.$match

/**
 * A sink for events.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryObserver = (event: RetryEvent) => Effect.Effect<void>

/**
 * A layer that adds an observer to every call run under it, alongside any others.
 *
 * @example
 * ```ts
 * import { RetryEvent } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const printRetries = RetryEvent.addObserver((event) =>
 *   RetryEvent.$is("RetryScheduled")(event) ?
 *     Effect.log(`${event.call.operation}: retry in ${event.delayMillis} ms (${event.basis})`) :
 *     Effect.void
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const addObserver = (observer: RetryObserver): Layer.Layer<never> => internal.addObserver(observer)

/**
 * Runs an effect with one more observer.
 *
 * @example
 * ```ts
 * import { RetryEvent } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const program: Effect.Effect<void> = Effect.void // your program
 *
 * const watched = program.pipe(
 *   RetryEvent.withObserver((event) =>
 *     event._tag === "RetryScheduled" ? Effect.log(`retrying ${event.call.operation}`) : Effect.void
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withObserver: {
  (observer: RetryObserver): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, observer: RetryObserver): Effect.Effect<A, E, R>
} = internal.withObserver

/**
 * The events of every call, as a service.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryEvents {
  /** A subscription taken now: events published from here on, until the scope closes. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<RetryEvent>, never, Scope.Scope>
  /** Every event published while the stream runs. */
  readonly stream: Stream.Stream<RetryEvent>
}

/**
 * The tag of the event stream service that `layerStream` provides.
 *
 * @since 0.1.0
 * @category context
 */
export const RetryEvents: Context.Tag<RetryEvents, RetryEvents> = Context.GenericTag<RetryEvents>(
  "@rebound/core/RetryEvents"
)

/**
 * A layer that publishes every event to a bounded `PubSub` (the oldest events are dropped for slow subscribers) and
 * provides it as {@link RetryEvents}.
 *
 * @example
 * ```ts
 * import { RetryEvent } from "@rebound/core"
 * import { Effect, Stream } from "effect"
 *
 * const printAll = Effect.gen(function*() {
 *   const events = yield* RetryEvent.RetryEvents
 *   yield* events.stream.pipe(Stream.runForEach((e) => Effect.log(e._tag)), Effect.forkScoped)
 * })
 * const program = Effect.scoped(printAll).pipe(Effect.provide(RetryEvent.layerStream()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStream = (options?: { readonly capacity?: number | undefined }): Layer.Layer<RetryEvents> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const pubsub = yield* Effect.acquireRelease(
      PubSub.sliding<RetryEvent>(options?.capacity ?? 4096),
      (p) => PubSub.shutdown(p)
    )
    const service: RetryEvents = { subscribe: PubSub.subscribe(pubsub), stream: Stream.fromPubSub(pubsub) }
    return Layer.merge(
      Layer.succeed(RetryEvents, service),
      addObserver((event) => Effect.asVoid(PubSub.publish(pubsub, event)))
    )
  }))

/**
 * The failure info an event carries for a call error.
 *
 * @since 0.1.0
 * @category utils
 */
export const failureInfo: (error: CallError.CallError) => FailureInfo = internal.failureInfo

/**
 * The observers in effect for the current fiber.
 *
 * @since 0.1.0
 * @category utils
 */
export const observers: Effect.Effect<ReadonlyArray<RetryObserver>> = internal.observers
