import { describe, expect, it } from "@effect/vitest"
import { Hedging, LatencyTracker, RetryEvent, RetryPolicy, StateStore } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Client, EventQueue, Rng } from "@rebound/simulator"
import { Clock, Effect, TestClock } from "effect"

// Hedging run twice on the same requests and the same random draws: by the Effect interpreter under `TestClock` and by
// the simulator's event loop. Both drive the same per-call machine, feed the same latency tracker and spend the same
// hedge budget, so they must send the same hedges at the same instants and end every call at the same instant.

interface Request {
  readonly latency: number
  readonly outcome: "success" | "transient"
}

/** Requests in the order they are sent: most fast, some slow, a few failing. */
const requests = (seed: number, n: number): ReadonlyArray<Request> => {
  const rng = Rng.stream(seed, "requests")
  return Array.from({ length: n }, () => {
    const slow = rng.next() < 0.25
    const latency = Math.round(slow ? 100 + rng.next() * 200 : 5 + rng.next() * 10)
    return { latency, outcome: rng.next() < 0.1 ? "transient" : "success" }
  })
}

const policy = RetryPolicy.make({ name: "cross", maxAttempts: 3, base: 20, idempotent: true }).pipe(
  RetryPolicy.withHedging(
    Hedging.make({
      maxHedged: 2,
      delay: { quantile: 0.9, minSamples: 5, initial: "50 millis" },
      budget: { ratio: 0.2, maxTokens: 2 }
    })
  )
)
const context = { service: "Simulated", operation: "Call" } as const
const CALLS = 60
const GAP = 50

interface Trace {
  readonly start: number
  readonly end: number
  readonly hedges: ReadonlyArray<number>
  readonly succeeded: boolean
}

const viaEffect = (script: ReadonlyArray<Request>, draws: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const store = StateStore.makeMemory()
    const tracker = LatencyTracker.makeMemory()
    let sent = 0
    const request = Effect.suspend(() => {
      const r = script[sent++]!
      return Effect.sleep(r.latency).pipe(
        Effect.zipRight(r.outcome === "success" ? Effect.succeed("ok") : Effect.fail(Testing.failureOf("transient")!))
      )
    })
    const traces: Array<Trace> = []
    const all = Effect.gen(function*() {
      for (let i = 0; i < CALLS; i++) {
        yield* TestClock.adjust(GAP)
        const start = yield* Clock.currentTimeMillis
        const hedges: Array<number> = []
        const { exit } = yield* Testing.run(
          RetryPolicy.retry(request, policy, context).pipe(
            RetryEvent.withObserver((e) =>
              Effect.sync(() => {
                if (e._tag === "HedgeStarted") hedges.push(e.at - start)
              })
            )
          )
        )
        traces.push({
          start,
          end: (yield* Clock.currentTimeMillis) - start,
          hedges,
          succeeded: exit._tag === "Success"
        })
      }
    })
    yield* all.pipe(
      Testing.withDraws(draws as [number, ...Array<number>]),
      Effect.provideService(StateStore.StateStore, store),
      Effect.provideService(LatencyTracker.LatencyTracker, tracker)
    )
    return { traces, sent }
  })

const viaSimulator = (script: ReadonlyArray<Request>, starts: ReadonlyArray<number>, seed: number) => {
  const queue = EventQueue.make()
  const client = Client.make(queue, { name: "cross", label: "cross", policy }, Rng.stream(seed, "jitter", 0))
  let sent = 0
  const transport: Client.Transport = (reply) => {
    const r = script[sent++]!
    let cancelled = false
    queue.after(EventQueue.micros(r.latency), () => {
      if (!cancelled) reply(r.outcome === "success" ? "success" : Testing.failureOf("transient")!)
    })
    return () => void (cancelled = true)
  }
  const traces: Array<Trace> = []
  starts.forEach((start, i) => {
    queue.schedule(EventQueue.micros(start), () => {
      client.call(transport, (result) => {
        traces[i] = { start, end: (queue.now - result.startedAt) / 1000, hedges: [], succeeded: result.succeeded }
      })
    })
  })
  queue.run()
  return { traces, sent }
}

describe("hedging: the interpreter and the simulator make the same decisions", () => {
  it.effect("the same requests sent, the same calls ending at the same instants", () =>
    Effect.gen(function*() {
      const seed = 7
      const script = requests(seed, 1_000)
      const jitter = Rng.stream(seed, "jitter", 0)
      const draws = Array.from({ length: 1_000 }, () => jitter.next())
      const effect = yield* viaEffect(script, draws)
      // The calls run one after another in the interpreter; start the simulator's at the same instants.
      const simulated = viaSimulator(script, effect.traces.map((t) => t.start), seed)
      expect(simulated.sent).toBe(effect.sent)
      expect(simulated.traces.map((t) => t.succeeded)).toEqual(effect.traces.map((t) => t.succeeded))
      // The same instants, to the simulator's resolution: it rounds a fractional hedge delay to the microsecond, the
      // interpreter to the nanosecond.
      const apart = simulated.traces.map((t, i) => Math.abs(t.end - effect.traces[i]!.end))
      expect(Math.max(...apart)).toBeLessThanOrEqual(0.001)
      // The scenario exercised what it should: hedges sent, and more requests than calls and hedges (retries).
      const hedged = effect.traces.filter((t) => t.hedges.length > 0).length
      expect(hedged).toBeGreaterThan(3)
      expect(effect.sent).toBeGreaterThan(CALLS + hedged)
    }))
})
