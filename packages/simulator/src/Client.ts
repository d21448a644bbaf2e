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
 * Guard state (quota tokens, budget window, limiter rate, breaker state, hedge budget) belongs to the client instance,
 * as the `StateStore` key of one SDK client does; so does the latency a quantile hedging delay reads
 * (`LatencyTracker`). A policy that hedges runs its hedges as the interpreter does: a timer per attempt, the machine's
 * `Hedge` step when it fires, and the losers cancelled through the transport's cancel function.
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
  readonly lastError: CallError.CallError | undefined
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
  /** `undefined` when the policy has no quota, budget, limiter or breaker. */
  readonly guards: GuardStates | undefined
  /** Starts a logical call now; `done` runs when it succeeds or the policy stops. */
  readonly call: (transport: Transport, done: (result: CallResult) => void, options?: CallOptions) => void
}

/**
 * A client instance with its own guard state (or the states `holder` keeps), drawing its jitter from `jitter`.
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
  holder?: GuardHolder
) => Client = internal.make
