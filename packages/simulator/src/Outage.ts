/**
 * Scenario C1 — a fast-fail outage: how much extra load do retries put on a service that fails everything?
 *
 * Open-loop Poisson arrivals at λ, spread over the client instances in turn. During [t₀, t₀ + T] the service fails
 * every attempt that reaches it with a retryable error (a 503, or a throttle), at once; before and after it answers
 * every attempt. With a pure fast-fail service retries cannot sustain an outage — they only waste calls — so the
 * measure is the **outage load**: attempts during the outage ÷ requests offered during it (1.0× is the floor when every
 * first attempt is sent), plus the recovery lag once the service is back.
 *
 * @since 0.1.0
 */
import type * as Client from "./Client.js"
import * as internal from "./internal/outage.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Params {
  /** Client instances (each has its own quota, budget, limiter and breaker). */
  readonly clients: number
  /** λ, requests per second over all clients. */
  readonly arrivalsPerSecond: number
  /** t₀. */
  readonly startSeconds: number
  /** T. */
  readonly outageSeconds: number
  /** How long the run goes on after the outage. */
  readonly afterSeconds: number
  /** What the service answers during the outage: a 503 (`"transient"`) or a throttle. */
  readonly failure: "transient" | "throttling"
  readonly networkMeanMillis: number
  readonly networkSdMillis: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Trial {
  /** Attempts sent during the outage ÷ requests offered during it. */
  readonly outageLoad: number
  /** The largest one-second ratio of attempts to offered requests during the outage. */
  readonly peakOutageLoad: number
  /** Seconds after t₀ until a one-second ratio first falls to ≤ 1.1× (the guards engaging). */
  readonly engageSeconds: number | undefined
  /** Seconds after the outage until successes track arrivals within 5 % (5-second windows). */
  readonly recoveryLagSeconds: number | undefined
  /** Requests that failed (caller-visible errors). */
  readonly errors: number
  /** Errors by stop reason. */
  readonly stopReasons: Readonly<Record<string, number>>
  /** Latency of every request, success or failure, to its final outcome. */
  readonly p99Millis: number
  readonly goodput: ReadonlyArray<number>
  readonly offered: ReadonlyArray<number>
  readonly attemptsPerSecond: ReadonlyArray<number>
  readonly events: number
}

/**
 * 10 clients, λ = 100/s, a 60 s outage of 503s from t₀ = 30 s, 60 s after it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: Params = internal.defaults

/**
 * Runs one C1 trial. `makeClient` builds the client instances (default: each with its own guard state).
 *
 * @example
 * ```ts
 * import { Outage, Policies } from "@rebound/simulator"
 *
 * const trial = Outage.trial({ ...Outage.defaults, outageSeconds: 10 }, Policies.requests[0]!, 1)
 * console.log(trial.outageLoad) // 1.0 for no retries
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const trial: (
  params: Params,
  policy: Client.SimPolicy,
  seed: number,
  makeClient?: Client.MakeClient
) => Trial = internal.trial
