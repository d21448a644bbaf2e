import type * as Brownout from "../Brownout.js"
import type * as Client from "../Client.js"
import * as EventQueue from "../EventQueue.js"
import * as Rng from "../Rng.js"
import { Series, timeToRecover } from "./series.js"
import { failures, networkDelay, ownGuards } from "./world.js"

/** @internal */
export const defaults: Brownout.Params = {
  capacityPerSecond: 1000,
  load: 0.8,
  timeoutMillis: 1000,
  clients: 10,
  startSeconds: 30,
  triggerSeconds: 10,
  triggerCapacity: 0,
  horizonSeconds: 160,
  networkMeanMillis: 5,
  networkSdMillis: 1,
  stopWhenRecovered: false
}

/** @internal */
export const hotOs: Brownout.Params = {
  ...defaults,
  capacityPerSecond: 300,
  load: 280 / 300,
  triggerSeconds: 10
}

interface Attempt {
  settled: boolean
  readonly reply: (outcome: Client.Outcome) => void
}

/**
 * A FIFO server of capacity C (exponential service times, mean 1/C) that does not know about client timeouts, so it
 * serves requests whose clients have given up. During the trigger its capacity is `triggerCapacity`·C.
 * @internal
 */
export const trial = (
  params: Brownout.Params,
  policy: Client.SimPolicy,
  seed: number,
  makeClient: Client.MakeClient = ownGuards
): Brownout.Trial => {
  const queue = EventQueue.make()
  const network = Rng.stream(seed, "network")
  const service = Rng.stream(seed, "service")
  const arrivals = Rng.stream(seed, "arrivals")
  const net = () => networkDelay(network, params.networkMeanMillis, params.networkSdMillis)
  const clients = Array.from(
    { length: params.clients },
    (_, i) => makeClient(queue, policy, Rng.stream(seed, "jitter", i), i)
  )
  const timeout = Math.round(params.timeoutMillis * 1000)
  const triggerFrom = params.startSeconds * 1e6
  const triggerUntil = triggerFrom + params.triggerSeconds * 1e6
  const seconds = params.startSeconds + params.triggerSeconds + params.horizonSeconds
  const end = seconds * 1e6
  const lambda = params.load * params.capacityPerSecond

  const offered = new Series()
  const goodput = new Series()
  const attempts = new Series()
  const backlog: Array<number> = []
  let served = 0
  let wasted = 0
  let errors = 0

  // The server: a FIFO of attempts (head index, compacted now and then) and one worker.
  let fifo: Array<Attempt> = []
  let head = 0
  let busy = false
  const capacityAt = (t: number) =>
    t >= triggerFrom && t < triggerUntil ? params.triggerCapacity * params.capacityPerSecond : params.capacityPerSecond
  const startNext = () => {
    if (busy || head === fifo.length) return
    const rate = capacityAt(queue.now)
    if (rate <= 0) return
    busy = true
    const attempt = fifo[head++]!
    if (head > 4096 && head * 2 > fifo.length) {
      fifo = fifo.slice(head)
      head = 0
    }
    queue.after(Math.max(1, Math.round(service.exponential(rate) * 1e6)), () => {
      busy = false
      served++
      queue.after(net(), () => {
        if (attempt.settled) {
          wasted++
        } else {
          attempt.settled = true
          attempt.reply("success")
        }
      })
      startNext()
    })
  }
  queue.schedule(triggerUntil, startNext)

  const transport: Client.Transport = (reply) => {
    attempts.add(queue.now)
    const attempt: Attempt = { settled: false, reply }
    queue.after(net(), () => {
      fifo.push(attempt)
      startNext()
    })
    queue.after(timeout, () => {
      if (attempt.settled) return
      attempt.settled = true
      reply(failures.timeout)
    })
  }

  let issued = 0
  const arrive = () => {
    offered.add(queue.now)
    clients[issued++ % clients.length]!.call(transport, (result) => {
      if (result.succeeded) goodput.add(queue.now)
      else errors++
    }, { idempotent: true })
    const next = queue.now + Math.max(1, Math.round(arrivals.exponential(lambda) * 1e6))
    if (next < end) queue.schedule(next, arrive)
  }
  queue.schedule(0, arrive)

  const after = params.startSeconds + params.triggerSeconds
  let ttr: number | undefined
  for (let s = 1; s <= seconds; s++) {
    queue.run(s * 1e6)
    backlog.push(fifo.length - head)
    if (ttr === undefined && s >= after + 5) {
      ttr = timeToRecover(goodput, offered, after, s)
      if (ttr !== undefined && params.stopWhenRecovered) break
    }
  }
  const last = backlog.length
  const ratios = Array.from(
    { length: last - after },
    (_, i) => attempts.at(after + i) / Math.max(1, offered.at(after + i))
  )
  const during = attempts.sum(params.startSeconds, after) / Math.max(1, offered.sum(params.startSeconds, after))
  return {
    timeToRecoverSeconds: ttr,
    peakLoad: Math.max(0, ...ratios),
    triggerLoad: during,
    finalLoad: attempts.sum(last - 10, last) / Math.max(1, offered.sum(last - 10, last)),
    wastedFraction: served === 0 ? 0 : wasted / served,
    errors,
    goodput: goodput.take(last),
    offered: offered.take(last),
    attemptsPerSecond: attempts.take(last),
    backlog,
    events: queue.processed
  }
}

/**
 * The no-retry drain bound: with a backlog of λ·T at the end of the trigger and nothing dropped, the server needs
 * (λT − Cτ)/(C − λ) more seconds, plus about τ.
 * @internal
 */
export const drainBound = (params: Brownout.Params): number => {
  const c = params.capacityPerSecond
  const lambda = params.load * c
  const tau = params.timeoutMillis / 1000
  const backlog = lambda * params.triggerSeconds * (1 - params.triggerCapacity / params.load)
  return Math.max(0, (backlog - c * tau) / (c - lambda)) + tau
}
