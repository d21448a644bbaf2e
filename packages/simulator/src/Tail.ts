/**
 * Scenario H — a latency tail: how much does hedging cut the tail, and what does it cost in extra requests?
 *
 * Open-loop Poisson arrivals at λ over the client instances in turn; each request takes two one-way network delays and
 * a service time, and a seeded share of requests is delayed by a `LatencyTail` distribution — the same model the lab's
 * fault proxy injects (`FaultProxy.latencyTail`). The default is the issue's: 5,000 calls, 2 % of requests delayed
 * U(1 s, 2 s). {@link partialOutage} adds a window in which half the requests are slow, U(1 s, 5 s): a hedging policy
 * without a budget sends a hedge for most of them (a load storm), a budgeted one stays within its budget.
 *
 * Measured: p50, p99, p99.9 and the largest latency of whole calls; extra requests (requests sent beyond one per
 * call, as a share of calls), during the outage window too; the peak one-second ratio of requests to calls.
 *
 * @since 0.1.0
 */
import { Hedging, Presets, RetryPolicy } from "@rebound/core"
import type { LatencyTail } from "@rebound/core/testing"
import type * as Client from "./Client.js"
import * as internal from "./internal/tail.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Params {
  /** Client instances (each has its own hedge budget and latency tracker). */
  readonly clients: number
  /** λ, calls per second over all clients. */
  readonly arrivalsPerSecond: number
  /** Calls measured. */
  readonly calls: number
  /**
   * Calls before them, not measured: they fill the latency trackers (a quantile delay starts from its `initial` delay
   * until a tracker holds `minSamples`).
   */
  readonly warmupCalls: number
  /** One-way network delay |N(mean, sd)|. */
  readonly networkMeanMillis: number
  readonly networkSdMillis: number
  /** Service time: `serviceMin` plus an exponential draw of mean `serviceMean`. */
  readonly serviceMinMillis: number
  readonly serviceMeanMillis: number
  /** The tail every request may meet. */
  readonly tail: LatencyTail.LatencyTail
  /** A window in which requests meet another tail instead. */
  readonly outage:
    | { readonly startSeconds: number; readonly seconds: number; readonly tail: LatencyTail.LatencyTail }
    | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Trial {
  readonly calls: number
  readonly p50Millis: number
  readonly p99Millis: number
  readonly p999Millis: number
  readonly maxMillis: number
  /** Requests sent beyond one per measured call (retries and hedges), as a share of measured calls. */
  readonly extraShare: number
  /** The same, counted over the outage window (requests sent in it ÷ calls started in it − 1). */
  readonly outageExtraShare: number | undefined
  /** The largest one-second ratio of requests sent to calls started. */
  readonly peakLoad: number
  readonly hedges: number
  /** Requests cancelled because another copy won. */
  readonly cancelled: number
  /** Requests the tail delayed. */
  readonly delayed: number
  readonly failed: number
  readonly events: number
}

/**
 * 4 clients, λ = 200/s, 5,000 calls measured after 200 warm-up calls, network 2 × |N(1, 0.2)| ms, service 2 ms + Exp(mean 3 ms), 2 % of requests
 * delayed U(1 s, 2 s).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: Params = internal.defaults

/**
 * {@link defaults} plus a partial outage: from 5 s for 15 s, half the requests are delayed U(1 s, 5 s).
 *
 * @since 0.1.0
 * @category constructors
 */
export const partialOutage: Params = internal.partialOutage

/**
 * Runs one trial. `makeClient` builds the client instances (default: each with its own guard state; `Fleet.makeClients`
 * puts the retry guards in a fleet store, while each process keeps its hedge budget to itself).
 *
 * @example
 * ```ts
 * import { Tail } from "@rebound/simulator"
 *
 * const trial = Tail.trial({ ...Tail.defaults, calls: 500 }, Tail.policies[1]!, 1)
 * console.log(trial.p999Millis, trial.extraShare)
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

const reads = RetryPolicy.modify(Presets.rebound, { name: "rebound-reads", idempotent: true })
const hedged = (name: string, label: string, hedging: Hedging.Hedging): Client.SimPolicy => ({
  name,
  label,
  policy: RetryPolicy.modify(reads, { name, hedging })
})

/**
 * The policies scenario H compares, all on `Presets.rebound`'s retries: no hedging; rebound's default hedging
 * (`Hedging.p95`) and a p98 variant; Polly v8's hedging defaults as a peer (`Hedging.polly`: 2 s, one hedge, no
 * budget); and a fixed 20 ms delay without and with a budget, to show what the budget is for.
 *
 * @since 0.1.0
 * @category policies
 */
export const policies: ReadonlyArray<Client.SimPolicy> = [
  { name: "none", label: "no hedging (Presets.rebound)", policy: reads },
  hedged("rebound-p95", "rebound default: p95 delay, 10 % budget (Hedging.p95)", Hedging.p95),
  hedged(
    "rebound-p98",
    "rebound, p98 delay, 4 % budget",
    Hedging.make({ name: "rebound-p98", delay: { quantile: 0.98 } })
  ),
  hedged("polly", "Polly v8 defaults: 2 s, 1 hedge, no budget (Hedging.polly)", Hedging.polly),
  hedged(
    "fixed-20ms-unbudgeted",
    "fixed 20 ms delay, no budget",
    Hedging.make({ name: "fixed-20ms-unbudgeted", delay: "20 millis", budget: false, pauseOnThrottle: false })
  ),
  hedged(
    "fixed-20ms-budgeted",
    "fixed 20 ms delay, 5 % budget",
    Hedging.make({ name: "fixed-20ms-budgeted", delay: "20 millis" })
  )
]
