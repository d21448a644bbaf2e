import { LatencyTail } from "@rebound/core/testing"
import type * as Client from "../Client.js"
import * as EventQueue from "../EventQueue.js"
import * as Rng from "../Rng.js"
import * as Stats from "../Stats.js"
import type * as Tail from "../Tail.js"
import { Series } from "./series.js"
import { clientsOf } from "./world.js"

/** @internal */
export const defaults: Tail.Params = {
  clients: 4,
  arrivalsPerSecond: 200,
  calls: 5_000,
  warmupCalls: 200,
  networkMeanMillis: 1,
  networkSdMillis: 0.2,
  serviceMinMillis: 2,
  serviceMeanMillis: 3,
  tail: LatencyTail.make(0.02, LatencyTail.uniform("1 second", "2 seconds")),
  outage: undefined
}

/** @internal */
export const partialOutage: Tail.Params = {
  ...defaults,
  outage: {
    startSeconds: 5,
    seconds: 15,
    tail: LatencyTail.make(0.5, LatencyTail.uniform("1 second", "5 seconds"))
  }
}

/**
 * Open-loop Poisson arrivals over the clients in turn. A request takes two one-way network delays and a service time
 * (`serviceMin` plus an exponential draw), plus a tail delay when the tail (or, during the outage, the outage's tail)
 * picks it. The service has no queue: a request's latency does not depend on the load, so what hedging changes is
 * only which copy answers first and how many requests are sent. Each call draws its requests from its own stream, so
 * the first request of every call is the same under every policy (common random numbers).
 * @internal
 */
export const trial = (
  params: Tail.Params,
  policy: Client.SimPolicy,
  seed: number,
  makeClient?: Client.MakeClient
): Tail.Trial => {
  const queue = EventQueue.make()
  const arrivals = Rng.stream(seed, "arrivals")
  const clients = makeClient === undefined ?
    clientsOf(queue, policy, seed, params.clients) :
    Array.from({ length: params.clients }, (_, i) => makeClient(queue, policy, Rng.stream(seed, "jitter", i), i))
  const outage = params.outage
  const outageFrom = outage === undefined ? Infinity : outage.startSeconds * 1e6
  const outageUntil = outage === undefined ? -Infinity : outageFrom + outage.seconds * 1e6
  const inOutage = (t: number) => t >= outageFrom && t < outageUntil
  const requests = new Series()
  const offered = new Series()
  const latencies: Array<number> = []
  let cancelled = 0
  let hedges = 0
  let extra = 0
  let failed = 0
  let delayed = 0

  const transportFor = (call: number): Client.Transport => {
    const draws = Rng.stream(seed, "call", call)
    return (reply) => {
      const now = queue.now
      requests.add(now)
      const network = Math.abs(draws.normal(params.networkMeanMillis, params.networkSdMillis)) +
        Math.abs(draws.normal(params.networkMeanMillis, params.networkSdMillis))
      const service = params.serviceMinMillis + draws.exponential(1 / params.serviceMeanMillis)
      const tail = outage !== undefined && inOutage(now) ? outage.tail : params.tail
      const extra = LatencyTail.sample(tail, draws.next(), draws.next())
      if (extra !== undefined) delayed++
      let live = true
      queue.after(EventQueue.micros(network + service + (extra ?? 0)), () => {
        if (live) reply("success")
      })
      return () => {
        if (live) cancelled++
        live = false
      }
    }
  }

  let issued = 0
  const arrive = () => {
    const index = issued++
    const startedAt = queue.now
    offered.add(startedAt)
    clients[index % clients.length]!.call(transportFor(index), (result) => {
      // Warm-up calls fill the latency trackers (a quantile delay starts from `initial` until they hold enough samples)
      // and are not measured.
      if (index < params.warmupCalls) return
      latencies.push((queue.now - startedAt) / 1000)
      hedges += result.hedges
      extra += result.attempts - 1 + result.hedges
      if (!result.succeeded) failed++
    })
    if (issued < params.warmupCalls + params.calls) {
      queue.after(Math.max(1, Math.round(arrivals.exponential(params.arrivalsPerSecond) * 1e6)), arrive)
    }
  }
  queue.schedule(0, arrive)
  queue.run()

  const sorted = latencies.slice().sort((a, b) => a - b)
  const q = (p: number) => Stats.percentile(sorted, p)
  const window = outage === undefined ?
    undefined :
    {
      offered: offered.sum(outage.startSeconds, outage.startSeconds + outage.seconds),
      requests: requests.sum(outage.startSeconds, outage.startSeconds + outage.seconds)
    }
  const seconds = Math.ceil(queue.now / 1e6)
  const perSecond = Array.from({ length: seconds }, (_, s) => requests.at(s) / Math.max(1, offered.at(s)))
  return {
    calls: params.calls,
    p50Millis: q(0.5),
    p99Millis: q(0.99),
    p999Millis: q(0.999),
    maxMillis: sorted.at(-1) ?? NaN,
    extraShare: extra / params.calls,
    outageExtraShare: window === undefined
      ? undefined
      : (window.requests - window.offered) / Math.max(1, window.offered),
    peakLoad: Math.max(...perSecond),
    hedges,
    cancelled,
    delayed,
    failed,
    events: queue.processed
  }
}
