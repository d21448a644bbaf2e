import type * as Client from "../Client.js"
import * as ClientModule from "../Client.js"
import * as EventQueue from "../EventQueue.js"
import * as Policies from "../Policies.js"
import * as Rng from "../Rng.js"
import * as Stats from "../Stats.js"
import type * as Throttled from "../Throttled.js"
import { recoveryLag, Series } from "./series.js"
import { failures, networkDelay, ownGuards } from "./world.js"

/** @internal */
export const serviceDefaults: Throttled.Service = {
  refillPerSecond: 100,
  burst: 10,
  networkMeanMillis: 5,
  networkSdMillis: 1
}

/** @internal */
export const drainDefaults: Throttled.DrainParams = {
  ...serviceDefaults,
  clients: 50,
  instances: 50,
  items: 2000,
  inFlight: 1
}

/** @internal */
export const openDefaults: Throttled.OpenParams = {
  ...serviceDefaults,
  clients: 50,
  loadFactor: 1.5,
  overloadSeconds: 60,
  recoverySeconds: 60,
  recoveryLoadFactor: 0.5
}

/** @internal */
export const oracle: Client.SimPolicy = {
  ...Policies.curve("oracle", "Oracle pacer at R/N", { jitter: "full", base: 10, cap: 2000, maxAttempts: 1000 }),
  name: "oracle"
}

/**
 * The service: a token bucket refilled continuously at R per second up to B; an attempt that finds a whole token
 * takes it, any other is throttled at once (rejections cost nothing). Messages take |N(5 ms, 1 ms)| each way.
 */
const service = (queue: EventQueue.EventQueue, params: Throttled.Service, seed: number) => {
  const network = Rng.stream(seed, "network")
  const net = () => networkDelay(network, params.networkMeanMillis, params.networkSdMillis)
  let tokens = params.burst
  let refilledAt = 0
  const counts = { attempts: 0, throttled: 0 }
  const attemptSeries = new Series()
  const transport: Client.Transport = (reply) => {
    counts.attempts++
    attemptSeries.add(queue.now)
    queue.after(net(), () => {
      tokens = Math.min(params.burst, tokens + ((queue.now - refilledAt) / 1e6) * params.refillPerSecond)
      refilledAt = queue.now
      const admitted = tokens >= 1
      if (admitted) tokens -= 1
      else counts.throttled++
      queue.after(net(), () => reply(admitted ? "success" : failures.throttled))
    })
  }
  return { transport, counts, attemptSeries }
}

/** @internal */
export const drain = (
  params: Throttled.DrainParams,
  policy: Client.SimPolicy,
  seed: number,
  makeClient: Client.MakeClient = ownGuards
): Throttled.DrainTrial => {
  const queue = EventQueue.make()
  const { counts, transport } = service(queue, params, seed)
  const perClient = params.items / params.clients
  const clientDone = new Array<number>(params.clients).fill(0)
  const latencies: Array<number> = []
  let giveUps = 0
  let waited = 0
  let lastSuccess = 0
  const paced = policy === oracle
  const instances = Array.from(
    { length: params.instances },
    (_, i) => makeClient(queue, policy, Rng.stream(seed, "jitter", i), i)
  )
  for (let i = 0; i < params.clients; i++) {
    const client = instances[i % instances.length]!
    let started = 0
    let finished = 0
    // One item's call; a call the SDK gave up on is submitted again at once (a batch job must write every item).
    const write = (itemStart: number) =>
      client.call(transport, (result) => {
        waited += result.waitedMicros
        if (!result.succeeded) {
          giveUps++
          return write(itemStart)
        }
        latencies.push((queue.now - itemStart) / 1000)
        lastSuccess = queue.now
        if (++finished === perClient) clientDone[i] = queue.now / 1e6
        next()
      })
    const next = () => {
      if (started === perClient) return
      const item = started++
      if (paced) {
        // The oracle sends client i's k-th item at (k·N + i)/R: the service's rate, evenly shared, never bunched.
        const at = Math.round(((item * params.clients + i) / params.refillPerSecond) * 1e6)
        return queue.schedule(Math.max(at, queue.now), () => write(queue.now))
      }
      write(queue.now)
    }
    for (let k = 0; k < params.inFlight; k++) next()
  }
  queue.run()
  return {
    completionSeconds: lastSuccess / 1e6,
    attempts: counts.attempts,
    throttled: counts.throttled,
    amplification: counts.attempts / params.items,
    giveUps,
    p50Millis: Stats.percentile(latencies, 0.5),
    p99Millis: Stats.percentile(latencies, 0.99),
    jain: Stats.jain(clientDone),
    localWaitSeconds: waited / 1e6,
    events: queue.processed
  }
}

/** @internal */
export const open = (params: Throttled.OpenParams, policy: Client.SimPolicy, seed: number): Throttled.OpenTrial => {
  const queue = EventQueue.make()
  const { attemptSeries, counts, transport } = service(queue, params, seed)
  const arrivals = Rng.stream(seed, "arrivals")
  const clients = Array.from(
    { length: params.clients },
    (_, i) => ClientModule.make(queue, policy, Rng.stream(seed, "jitter", i))
  )
  const offered = new Series()
  const goodput = new Series()
  const latencies: Array<number> = []
  let issued = 0
  let succeeded = 0
  const dropAt = params.overloadSeconds * 1e6
  const end = dropAt + params.recoverySeconds * 1e6
  const arrive = () => {
    const client = clients[issued++ % clients.length]!
    offered.add(queue.now)
    const startedAt = queue.now
    client.call(transport, (result) => {
      if (!result.succeeded) return
      succeeded++
      goodput.add(queue.now)
      latencies.push((queue.now - startedAt) / 1000)
    })
    const rate = (queue.now < dropAt ? params.loadFactor : params.recoveryLoadFactor) * params.refillPerSecond
    const next = queue.now + Math.max(1, Math.round(arrivals.exponential(rate) * 1e6))
    if (next < end) queue.schedule(next, arrive)
  }
  queue.schedule(0, arrive)
  queue.run()
  const overload = params.overloadSeconds
  const seconds = overload + params.recoverySeconds
  const lag = recoveryLag(goodput, offered, overload, seconds)
  return {
    issued,
    succeeded,
    attempts: counts.attempts,
    throttled: counts.throttled,
    goodputPerSecond: goodput.sum(0, overload) / overload,
    amplification: counts.attempts / Math.max(1, succeeded),
    recoveryLagSeconds: lag,
    p50Millis: Stats.percentile(latencies, 0.5),
    p99Millis: Stats.percentile(latencies, 0.99),
    goodput: goodput.take(seconds),
    offered: offered.take(seconds),
    attemptsPerSecond: attemptSeries.take(seconds),
    events: queue.processed
  }
}
