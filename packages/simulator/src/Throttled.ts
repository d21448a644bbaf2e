/**
 * Scenario B — a token-bucket-throttled service (a DynamoDB provisioned-capacity analogue).
 *
 * The service refills R tokens per second up to a burst of B; an attempt that finds a whole token takes it, any
 * other is throttled at once (a `ThrottlingError`; rejections cost the service nothing). Messages take |N(5 ms, 1 ms)|
 * each way. By default every client is its own SDK client instance, with its own quota, budget, limiter and breaker
 * state; B1 can also share instances between workers (`instances`).
 *
 * - **B1, batch drain** ({@link drain}): N clients each write W/N items, `inFlight` at a time. A call that the policy gives
 *   up on is submitted again at once (a batch job must write every item), so a policy's give-ups show up as extra
 *   load, not as missing work. Latency is per item, from the moment its client starts it.
 * - **B2, open loop** ({@link open}): Poisson arrivals at `loadFactor`·R for `overloadSeconds`, then
 *   `recoveryLoadFactor`·R, spread over the clients in turn; a call the policy gives up on is an error.
 *
 * @since 0.1.0
 */
import type * as Client from "./Client.js"
import * as internal from "./internal/throttled.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** R: tokens per second. */
  readonly refillPerSecond: number
  /** B: bucket capacity. */
  readonly burst: number
  readonly networkMeanMillis: number
  readonly networkSdMillis: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DrainParams extends Service {
  /** N: workers, each writing its share of the items one at a time. */
  readonly clients: number
  /**
   * SDK client instances the workers are spread over, in turn: N for one process per worker (the default: each has
   * its own quota, budget, limiter and breaker), 1 for N workers sharing one client's guards in one process.
   */
  readonly instances: number
  /** W: items to write in all; each client holds W/N. */
  readonly items: number
  /** Items each client has in flight at once (the design's k; default 1). */
  readonly inFlight: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DrainTrial {
  /** Time of the last success. The bound is (W − B)/R. */
  readonly completionSeconds: number
  readonly attempts: number
  readonly throttled: number
  /** Attempts ÷ items. */
  readonly amplification: number
  /** Calls the policy gave up on (each re-submitted). */
  readonly giveUps: number
  /** Per-item latency from the moment its client started it. */
  readonly p50Millis: number
  readonly p99Millis: number
  /** Jain's index of the clients' completion times. */
  readonly jain: number
  /** Time spent waiting in client-side limiters, summed over calls. */
  readonly localWaitSeconds: number
  readonly events: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OpenParams extends Service {
  readonly clients: number
  /** Arrival rate during the first phase, as a multiple of R. */
  readonly loadFactor: number
  readonly overloadSeconds: number
  readonly recoverySeconds: number
  /** Arrival rate afterwards, as a multiple of R. */
  readonly recoveryLoadFactor: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OpenTrial {
  readonly issued: number
  readonly succeeded: number
  readonly attempts: number
  readonly throttled: number
  /** Mean successes per second during the first phase. */
  readonly goodputPerSecond: number
  /** Attempts ÷ successful requests. */
  readonly amplification: number
  /**
   * Seconds after the load drops until every later 5-second window's successes are within 5 % of its arrivals;
   * `undefined` if that never happens within the run.
   */
  readonly recoveryLagSeconds: number | undefined
  readonly p50Millis: number
  readonly p99Millis: number
  /** Per-second series. */
  readonly goodput: ReadonlyArray<number>
  readonly offered: ReadonlyArray<number>
  readonly attemptsPerSecond: ReadonlyArray<number>
  readonly events: number
}

/**
 * The service's defaults: R = 100/s, B = 10, |N(5 ms, 1 ms)| each way.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serviceDefaults: Service = internal.serviceDefaults

/**
 * B1's defaults: 50 clients (50 instances), 2,000 items (bound (W − B)/R = 19.9 s).
 *
 * @since 0.1.0
 * @category constructors
 */
export const drainDefaults: DrainParams = internal.drainDefaults

/**
 * B2's defaults: 50 clients, 1.5·R for 60 s, then 0.5·R for 60 s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openDefaults: OpenParams = internal.openDefaults

/**
 * The oracle pacer (B1 only): client i starts its k-th item at (k·N + i)/R, so the service sees exactly its rate,
 * evenly shared. A yardstick, not a retry policy.
 *
 * @since 0.1.0
 * @category policies
 */
export const oracle: Client.SimPolicy = internal.oracle

/**
 * The lower bound on B1's completion time, (W − B)/R seconds.
 *
 * @example
 * ```ts
 * import { Throttled } from "@rebound/simulator"
 *
 * console.log(Throttled.drainBound(Throttled.drainDefaults)) // 19.9
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const drainBound = (params: DrainParams): number =>
  Math.max(0, (params.items - params.burst) / params.refillPerSecond)

/**
 * Runs one B1 trial. `makeClient` builds the client instances (default: each with its own guard state).
 *
 * @example
 * ```ts
 * import { Policies, Throttled } from "@rebound/simulator"
 *
 * const trial = Throttled.drain({ ...Throttled.drainDefaults, items: 200, clients: 10 }, Policies.drain[1]!, 1)
 * console.log(trial.completionSeconds, trial.amplification, trial.jain)
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const drain: (
  params: DrainParams,
  policy: Client.SimPolicy,
  seed: number,
  makeClient?: Client.MakeClient
) => DrainTrial = internal.drain

/**
 * Runs one B2 trial.
 *
 * @since 0.1.0
 * @category running
 */
export const open: (params: OpenParams, policy: Client.SimPolicy, seed: number) => OpenTrial = internal.open
