import type * as Client from "../Client.js"
import * as EventQueue from "../EventQueue.js"
import type * as Outage from "../Outage.js"
import * as Rng from "../Rng.js"
import * as Stats from "../Stats.js"
import { recoveryLag, Series } from "./series.js"
import { failures, networkDelay, ownGuards } from "./world.js"

/** @internal */
export const defaults: Outage.Params = {
  clients: 10,
  arrivalsPerSecond: 100,
  startSeconds: 30,
  outageSeconds: 60,
  afterSeconds: 60,
  failure: "transient",
  networkMeanMillis: 5,
  networkSdMillis: 1
}

/**
 * Open-loop Poisson arrivals spread over the clients in turn; the service fails every attempt that reaches it during
 * the outage (fast: no queue, no timeout) and answers every other at once.
 * @internal
 */
export const trial = (
  params: Outage.Params,
  policy: Client.SimPolicy,
  seed: number,
  makeClient: Client.MakeClient = ownGuards
): Outage.Trial => {
  const queue = EventQueue.make()
  const network = Rng.stream(seed, "network")
  const net = () => networkDelay(network, params.networkMeanMillis, params.networkSdMillis)
  const arrivals = Rng.stream(seed, "arrivals")
  const clients = Array.from(
    { length: params.clients },
    (_, i) => makeClient(queue, policy, Rng.stream(seed, "jitter", i), i)
  )
  const from = params.startSeconds * 1e6
  const until = from + params.outageSeconds * 1e6
  const end = until + params.afterSeconds * 1e6
  const error = params.failure === "throttling" ? failures.throttled : failures.unavailable
  const offered = new Series()
  const goodput = new Series()
  const attempts = new Series()
  const stops = new Map<string, number>()
  const latencies: Array<number> = []
  const transport: Client.Transport = (reply) => {
    attempts.add(queue.now)
    queue.after(net(), () => {
      const down = queue.now >= from && queue.now < until
      queue.after(net(), () => reply(down ? error : "success"))
    })
  }
  let issued = 0
  const arrive = () => {
    const startedAt = queue.now
    offered.add(startedAt)
    clients[issued++ % clients.length]!.call(transport, (result) => {
      latencies.push((queue.now - startedAt) / 1000)
      if (result.succeeded) return goodput.add(queue.now)
      const reason = result.stopReason ?? "unknown"
      stops.set(reason, (stops.get(reason) ?? 0) + 1)
    })
    const next = queue.now + Math.max(1, Math.round(arrivals.exponential(params.arrivalsPerSecond) * 1e6))
    if (next < end) queue.schedule(next, arrive)
  }
  queue.schedule(0, arrive)
  queue.run()
  const s0 = params.startSeconds
  const s1 = s0 + params.outageSeconds
  const seconds = s1 + params.afterSeconds
  const ratios = Array.from(
    { length: params.outageSeconds },
    (_, i) => attempts.at(s0 + i) / Math.max(1, offered.at(s0 + i))
  )
  const engaged = ratios.findIndex((r) => r <= 1.1)
  return {
    outageLoad: attempts.sum(s0, s1) / Math.max(1, offered.sum(s0, s1)),
    peakOutageLoad: Math.max(...ratios),
    engageSeconds: engaged < 0 ? undefined : engaged,
    recoveryLagSeconds: recoveryLag(goodput, offered, s1, seconds),
    errors: [...stops.values()].reduce((a, b) => a + b, 0),
    stopReasons: Object.fromEntries(stops),
    p99Millis: Stats.percentile(latencies, 0.99),
    goodput: goodput.take(seconds),
    offered: offered.take(seconds),
    attemptsPerSecond: attempts.take(seconds),
    events: queue.processed
  }
}
