/**
 * Scenario C2 — a brownout with a server queue and client timeouts: can retries keep a service down after the cause
 * has gone (a metastable failure)?
 *
 * A server of capacity C serves a FIFO queue (exponential service times) and does not know about client timeouts, so
 * it does stale work. Poisson arrivals at λ = ρ·C over the client instances; every attempt times out after τ (an
 * ambiguous `TransientError` with reason `timeout`; calls are idempotent, so policies may retry them). The trigger:
 * capacity falls to x·C (default 0) for T seconds from t₀. **Time to recover** = seconds after the trigger ends until
 * the first of 5 consecutive seconds in each of which successes reach 95 % of that second's arrivals; "never" if not
 * within the horizon (metastable).
 *
 * @since 0.1.0
 */
import type * as Client from "./Client.js"
import * as internal from "./internal/brownout.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Params {
  /** C, requests per second. */
  readonly capacityPerSecond: number
  /** ρ = λ / C. */
  readonly load: number
  /** τ, the client's timeout per attempt. */
  readonly timeoutMillis: number
  readonly clients: number
  /** t₀. */
  readonly startSeconds: number
  /** T. */
  readonly triggerSeconds: number
  /** x: capacity during the trigger as a fraction of C. */
  readonly triggerCapacity: number
  /** How long the run goes on after the trigger. */
  readonly horizonSeconds: number
  readonly networkMeanMillis: number
  readonly networkSdMillis: number
  /** End the run as soon as it has recovered (for sweeps that only need the time to recover). */
  readonly stopWhenRecovered: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Trial {
  /** `undefined` = never within the horizon: metastable. */
  readonly timeToRecoverSeconds: number | undefined
  /** Largest one-second ratio of attempts to arrivals after the trigger. */
  readonly peakLoad: number
  /** Attempts ÷ arrivals during the trigger. */
  readonly triggerLoad: number
  /** Attempts ÷ arrivals over the last 10 seconds of the run (≈ 1 when healthy; ≈ attempts per request when stuck). */
  readonly finalLoad: number
  /** Share of the server's work done for attempts whose client had already timed out. */
  readonly wastedFraction: number
  /** Requests that failed (caller-visible errors). */
  readonly errors: number
  readonly goodput: ReadonlyArray<number>
  readonly offered: ReadonlyArray<number>
  readonly attemptsPerSecond: ReadonlyArray<number>
  /** Server queue length at the end of each second. */
  readonly backlog: ReadonlyArray<number>
  readonly events: number
}

/**
 * C = 1,000/s, ρ = 0.8, τ = 1 s, 10 clients, capacity 0 for 10 s from t₀ = 30 s, 160 s horizon.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: Params = internal.defaults

/**
 * The HotOS '21 example: C = 300 QPS, λ = 280 QPS, τ = 1 s, a 10 s blip (run it with one retry).
 *
 * @since 0.1.0
 * @category constructors
 */
export const hotOs: Params = internal.hotOs

/**
 * Runs one C2 trial. `makeClient` builds the client instances (default: each with its own guard state).
 *
 * @example
 * ```ts
 * import { Brownout, Policies } from "@rebound/simulator"
 *
 * const trial = Brownout.trial({ ...Brownout.defaults, triggerSeconds: 1, horizonSeconds: 20 }, Policies.none, 1)
 * console.log(trial.timeToRecoverSeconds)
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

/**
 * The no-retry drain bound on the time to recover, (λT − Cτ)/(C − λ) + τ seconds (λT less what ran during the
 * trigger).
 *
 * @example
 * ```ts
 * import { Brownout } from "@rebound/simulator"
 *
 * console.log(Brownout.drainBound(Brownout.defaults)) // (8000 − 1000)/200 + 1 = 36
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const drainBound: (params: Params) => number = internal.drainBound
