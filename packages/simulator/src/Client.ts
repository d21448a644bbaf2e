/**
 * A simulated SDK client instance that runs rebound's policy core in virtual time.
 *
 * Each logical call is rebound's own per-call machine, `RetryCall` — the one the Effect interpreter
 * (`RetryPolicy.retry`), the SDK adapter and the Promise face run: admission by the breaker and the limiter before
 * every attempt, one jitter draw per failed attempt, the decision, the breaker, the budget and the quota (last,
 * because it spends), the updates after a success. Nothing is re-implemented here — the simulator only supplies the
 * time (its event queue) and the draws (its seeded stream) — so what it measures is what production runs. A
 * cross-check test runs the interpreter under `TestClock` on the same draws, with calls one at a time and concurrent
 * calls sharing a breaker, a quota and a limiter, and requires the same delays, attempt instants and stop reasons.
 *
 * Guard state (quota tokens, budget window, limiter rate, breaker state) lives in the process's {@link Store} under the
 * keys rebound's core computes for the call, exactly as the interpreter's `StateStore` keeps it: each client has a
 * scope of its own (`place#n`, as each `@rebound/aws` layer names its client), so its quota, budget and breaker are
 * its own, while a guard shared by the process (`AdaptiveLimiter.rebound`) is shared by every client of the same
 * store that calls the same operation on the same resource at the same place.
 * A hedge budget is guard state like the others; the latency a quantile hedging delay reads (`LatencyTracker`)
 * belongs to the client instance. A policy that hedges runs its hedges as the interpreter does: a timer per attempt,
 * the machine's `Hedge` step when it fires, and the losers cancelled through the transport's cancel function.
 *
 * @since 0.1.0
 */
import type { CallError, RetryCall, RetryPolicy } from "@rebound/core"
import type * as EventQueue from "./EventQueue.js"
import * as internal from "./internal/client.js"
import type * as Rng from "./Rng.js"

/**
 * A per-call delay source replacing the policy's backoff, for curves rebound's core does not express (Effect's
 * `Schedule.jittered`, gRPC's ±20 % jitter): given the time (ms) and the failure's draw, the delay in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type DelayStep = (nowMillis: number, draw: number) => number

/**
 * A policy as the simulator runs it: a rebound `RetryPolicy` (its decision, limits and guards), optionally with its
 * delays taken from another source.
 *
 * @since 0.1.0
 * @category models
 */
export interface SimPolicy {
  /** Short identifier, used on the command line and in tables. */
  readonly name: string
  /** What it stands for, in a few words. */
  readonly label: string
  readonly policy: RetryPolicy.RetryPolicy
  /** Makes the delay source of one call; `undefined` keeps the policy's own backoff. */
  readonly delays?: (() => DelayStep) | undefined
}

/**
 * What an attempt came to, as the client learns it: success, or a failure to classify.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "success" | CallError.CallError

/**
 * Sends one attempt at the current virtual time. The scenario must call `reply` exactly once, at the instant the
 * client learns the outcome. It may return a function that cancels the request: the client calls it when a hedge
 * makes the request a loser (the interpreter aborts its HTTP request then); a reply after that is ignored.
 *
 * @since 0.1.0
 * @category models
 */
export type Transport = (reply: (outcome: Outcome) => void) => void | (() => void)

/**
 * How a logical call ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallResult {
  readonly succeeded: boolean
  /** Attempts sent, counting the first. */
  readonly attempts: number
  /** Virtual instants, microseconds. */
  readonly startedAt: number
  readonly endedAt: number
  /** Why retries stopped; `undefined` on success. */
  readonly stopReason: CallError.StopReason | undefined
  /** The delays slept before each retry, milliseconds, as decided. */
  readonly delaysMillis: ReadonlyArray<number>
  /** Time spent waiting for the adaptive limiter, microseconds. */
  readonly waitedMicros: number
  /** The last attempt's failure, if an attempt was sent and failed. */
  readonly lastError: CallError.CallError | undefined
  /**
   * What the call failed with: the last failure, or a fail-fast one of the guards (a breaker open, a limiter wait past
   * the time budget) that may carry a `retryAfter`; `undefined` on success.
   */
  readonly failure: CallError.CallError | undefined
  /** Hedged copies sent (extra requests beyond the attempts). */
  readonly hedges: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** Overrides the policy's `idempotent` (as `RetryPolicy.retry`'s option does). */
  readonly idempotent?: boolean | undefined
  /** The operation called, when it is not the client's default (a read and a write on one table). */
  readonly operation?: string | undefined
}

/**
 * The guard states of one simulated process, by store key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Store {
  readonly states: ReadonlyMap<string, unknown>
}

/**
 * Who a client is, for the keys of its guards.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Its guard scope, `place#n` as a `@rebound/aws` layer names its client. Default: a scope of its own. */
  readonly scope?: string | undefined
  /** The process it runs in: clients given the same store share what the process shares. Default: its own. */
  readonly store?: Store | undefined
  /** The resource it calls. Default `"resource"`. */
  readonly resource?: string | undefined
  /** The operation it calls unless a call says otherwise. Default `"Call"`. */
  readonly operation?: string | undefined
  /** Where its guard states live instead of `store` (a fleet store's process, see `Fleet`). */
  readonly holder?: GuardHolder | undefined
}

/**
 * The guard states of a client instance (`undefined` for guards its policy lacks): what a `StateStore` holds for one
 * client.
 *
 * @since 0.1.0
 * @category models
 */
export type GuardStates = RetryCall.Guards

/**
 * Where a client's guard states live when they are not its own: one step of a call on them (a fleet store's process
 * holds them, see `Fleet`). The holder runs `RetryCall.step` on the states it keeps.
 *
 * @since 0.1.0
 * @category models
 */
export type GuardHolder = (call: RetryCall.Call, input: RetryCall.Input) => RetryCall.Result

/**
 * Builds the client instance number `index` of a scenario (each scenario builds its instances through one).
 *
 * @since 0.1.0
 * @category models
 */
export type MakeClient = (
  queue: EventQueue.EventQueue,
  policy: SimPolicy,
  jitter: Rng.Stream,
  index: number
) => Client

/**
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly queue: EventQueue.EventQueue
  readonly policy: SimPolicy
  readonly scope: string
  readonly store: Store
  /**
   * The states of the guards its default call uses, as they stand (`undefined` for those not used yet), or
   * `undefined` when the policy has no quota, budget, limiter or breaker.
   */
  readonly guards: GuardStates | undefined
  /** Starts a logical call now; `done` runs when it succeeds or the policy stops. */
  readonly call: (transport: Transport, done: (result: CallResult) => void, options?: CallOptions) => void
}

/**
 * A fresh process: an empty store of guard states.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStore: () => Store = internal.makeStore

/**
 * A client instance drawing its jitter from `jitter`, in the process whose store `options.store` is (default: its
 * own), or in a fleet store's process (`options.holder`).
 *
 * @example
 * ```ts
 * import { Presets } from "@rebound/core"
 * import { Client, EventQueue, Rng } from "@rebound/simulator"
 * import { Testing } from "@rebound/core/testing"
 *
 * const queue = EventQueue.make()
 * const client = Client.make(queue, { name: "aws", label: "AWS 2026", policy: Presets.awsJs2026 }, Rng.stream(1, "jitter", 0))
 * const throttled = Testing.failureOf("throttle")!
 * let attempts = 0
 * // A service that throttles the first two attempts, answering 10 ms after each is sent.
 * client.call(
 *   (reply) => queue.after(10_000, () => reply(++attempts <= 2 ? throttled : "success")),
 *   (result) => console.log(result.succeeded, result.attempts, result.delaysMillis)
 * )
 * queue.run()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  queue: EventQueue.EventQueue,
  policy: SimPolicy,
  jitter: Rng.Stream,
  options?: Options
) => Client = internal.make
