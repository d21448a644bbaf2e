/**
 * Scenario A — Brooker's OCC contention ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015), the
 * reproduction gate.
 *
 * One row with one version counter. Each of N clients, all starting at t = 0, wants one successful write: it reads the
 * version, then writes with it; the write succeeds iff the version is unchanged. Every message takes |N(10 ms, 2 ms)|.
 * A failed write is a retryable conflict; an attempt is one read-then-write, and the backoff is slept before the next
 * read. Counted: write calls, and the time of the last event.
 *
 * @since 0.1.0
 */
import type * as Client from "./Client.js"
import * as internal from "./internal/contention.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Params {
  readonly clients: number
  readonly networkMeanMillis: number
  readonly networkSdMillis: number
}

/**
 * What one trial measured.
 *
 * @since 0.1.0
 * @category models
 */
export interface Trial {
  /** Write calls received by the server (Brooker's `calls`). */
  readonly writes: number
  /** Virtual time of the last event (Brooker's `time`). */
  readonly completionMillis: number
  /** Clients that wrote successfully (fewer than N only when a policy gives up). */
  readonly completed: number
  /** Events the loop ran. */
  readonly events: number
}

/**
 * Brooker's parameters: 100 clients, |N(10 ms, 2 ms)| per message.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: Params = internal.defaults

/**
 * Runs one trial on one seed.
 *
 * @example
 * ```ts
 * import { Contention, Policies } from "@rebound/simulator"
 *
 * const full = Policies.brooker.find((p) => p.name === "full")!
 * const trial = Contention.trial({ ...Contention.defaults, clients: 10 }, full, 1)
 * console.log(trial.writes, trial.completionMillis)
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const trial: (params: Params, policy: Client.SimPolicy, seed: number) => Trial = internal.trial

/**
 * Brooker's re-run means at N = 50, 100 and 190 (Python 2.7.18, seed 1, 100 trials each; BENCHMARK-DESIGN.md §1.4),
 * by strategy: write calls and completion time in milliseconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const reference: ReadonlyArray<{
  readonly clients: number
  readonly policy: string
  readonly writes: number
  readonly completionMillis: number
}> = [
  { clients: 50, policy: "none", writes: 687, completionMillis: 1132 },
  { clients: 50, policy: "exponential", writes: 624, completionMillis: 36237 },
  { clients: 50, policy: "full", writes: 332, completionMillis: 2922 },
  { clients: 50, policy: "equal", writes: 347, completionMillis: 4303 },
  { clients: 50, policy: "decorrelated", writes: 376, completionMillis: 2164 },
  { clients: 100, policy: "none", writes: 2421, completionMillis: 2027 },
  { clients: 100, policy: "exponential", writes: 1853, completionMillis: 62862 },
  { clients: 100, policy: "full", writes: 797, completionMillis: 4879 },
  { clients: 100, policy: "equal", writes: 812, completionMillis: 6658 },
  { clients: 100, policy: "decorrelated", writes: 1002, completionMillis: 4530 },
  { clients: 190, policy: "none", writes: 7997, completionMillis: 3538 },
  { clients: 190, policy: "exponential", writes: 5186, completionMillis: 101357 },
  { clients: 190, policy: "full", writes: 1771, completionMillis: 7427 },
  { clients: 190, policy: "equal", writes: 1759, completionMillis: 9487 },
  { clients: 190, policy: "decorrelated", writes: 2441, completionMillis: 7887 }
]
