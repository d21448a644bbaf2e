import * as Duration from "effect/Duration"
import type * as Client from "../Client.js"
import * as EventQueue from "../EventQueue.js"
import * as Policies from "../Policies.js"
import * as Rng from "../Rng.js"
import * as Stats from "../Stats.js"
import type * as Throttled from "../Throttled.js"
import { recoveryLag, Series } from "./series.js"
import { clientsOf, failures, networkDelay } from "./world.js"

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
  processes: 1,
  items: 2000,
  inFlight: 1,
  reads: undefined
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
  const counts = { attempts: 0, throttled: 0 }
  const attemptSeries = new Series()
  /** One capacity with a bucket of its own (a table's writes, or its reads). */
  const bucket = (refillPerSecond: number): Client.Transport => {
    let tokens = params.burst
    let refilledAt = 0
    return (reply) => {
      counts.attempts++
      attemptSeries.add(queue.now)
      queue.after(net(), () => {
        tokens = Math.min(params.burst, tokens + ((queue.now - refilledAt) / 1e6) * refillPerSecond)
        refilledAt = queue.now
        const admitted = tokens >= 1
        if (admitted) tokens -= 1
        else counts.throttled++
        queue.after(net(), () => reply(admitted ? "success" : failures.throttled))
      })
    }
  }
  return { transport: bucket(params.refillPerSecond), bucket, counts, attemptSeries }
}

/** @internal */
export const drain = (
  params: Throttled.DrainParams,
  policy: Client.SimPolicy,
  seed: number,
  makeClient?: Client.MakeClient
): Throttled.DrainTrial => {
  const queue = EventQueue.make()
  const { bucket, counts, transport } = service(queue, params, seed)
  const reads = params.reads
  const readTransport = reads === undefined ? undefined : bucket(reads.refillPerSecond)
  const workers = params.clients + (reads?.clients ?? 0)
  const clientDone = new Array<number>(workers).fill(0)
  const latencies: Array<number> = []
  let giveUps = 0
  let waited = 0
  let lastSuccess = 0
  const paced = policy === oracle
  const count = Math.min(workers, params.instances)
  const instances = makeClient === undefined ?
    clientsOf(queue, policy, seed, count, params.processes) :
    Array.from({ length: count }, (_, i) => makeClient(queue, policy, Rng.stream(seed, "jitter", i), i))
  for (let i = 0; i < workers; i++) {
    const client = instances[i % instances.length]!
    const reader = i >= params.clients
    const perClient = reader ? reads!.items / reads!.clients : params.items / params.clients
    const rate = reader ? reads!.refillPerSecond : params.refillPerSecond
    const peers = reader ? reads!.clients : params.clients
    const rank = reader ? i - params.clients : i
    const send = reader ? readTransport! : transport
    const options = reads === undefined ? undefined : { operation: reader ? "Read" : "Write" }
    let started = 0
    let finished = 0
    // One item's call; a call the SDK gave up on is submitted again (a batch job must write every item): at once, or
    // after the `retryAfter` a guard that failed it fast asked for (a limiter wait past the time budget).
    const write = (itemStart: number) =>
      client.call(send, (result) => {
        waited += result.waitedMicros
        if (!result.succeeded) {
          giveUps++
          const after = result.failure?.retryAfter
          if (after === undefined) return write(itemStart)
          return queue.after(Math.max(1, Math.round(Duration.toMillis(after) * 1000)), () => write(itemStart))
        }
        latencies.push((queue.now - itemStart) / 1000)
        lastSuccess = queue.now
        if (++finished === perClient) clientDone[i] = queue.now / 1e6
        next()
      }, options)
    const next = () => {
      if (started === perClient) return
      const item = started++
      if (paced) {
        // The oracle sends worker i's k-th item at (k·N + i)/R: the service's rate, evenly shared, never bunched.
        const at = Math.round(((item * peers + rank) / rate) * 1e6)
        return queue.schedule(Math.max(at, queue.now), () => write(queue.now))
      }
      write(queue.now)
    }
    for (let k = 0; k < params.inFlight; k++) next()
  }
  queue.run()
  const items = params.items + (reads?.items ?? 0)
  return {
    completionSeconds: lastSuccess / 1e6,
    attempts: counts.attempts,
    throttled: counts.throttled,
    amplification: counts.attempts / items,
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
  const clients = clientsOf(queue, policy, seed, params.clients)
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
