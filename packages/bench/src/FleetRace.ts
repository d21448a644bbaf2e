/**
 * What a fleet store costs a call on the success path, raced against the in-memory store in the same process: the
 * call is `RetryPolicy.retry(Effect.void)` under a policy with a quota, a limiter and a breaker (three shared keys);
 * the fleet stores' leases are in place after the warm-up, so no call waits for its engine — what is measured is the
 * local step plus the background syncs' share of the process. Used by `pnpm bench` and `pnpm bench:fleet`.
 */
import { AdaptiveLimiter, CircuitBreaker, FleetStore, RetryPolicy, RetryQuota, StateStore } from "@rebound/core"
import { RedisStore } from "@rebound/redis"
import { RedisServer } from "@rebound/redis/testing"
import { Effect, Runtime, type Scope } from "effect"
import { type Contender, race, type RaceResult, type Spread } from "./Race.js"

const policy = RetryPolicy.make({
  name: "bench",
  quota: RetryQuota.aws2026,
  limiter: AdaptiveLimiter.aws,
  breaker: CircuitBreaker.consecutive({ name: "bench" })
})
const context = { service: "Bench", operation: "Call", resource: "table", scope: "bench-fleet" } as const

/** Calls per timed unit: one `runPromise` runs this many sequential calls, so its own cost is spread thin. */
export const batch = 200

/**
 * A turn of the event loop, as an application's I/O gives: the syncs run on timers, which a loop of promises that
 * settle at once would starve (and leave their cost out).
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

export interface FleetRace {
  /** Per call: the race timed batches of {@link batch} calls. */
  readonly result: RaceResult
  /** The Redis engine's requests per second during the race (the syncs). */
  readonly redisRequestsPerSecond: number
}

/** Starts a `redis-server` in the scope and races the in-memory store, a fleet store on the memory engine and one on Redis. */
export const fleetRace = (rounds: number): Effect.Effect<FleetRace, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const run = Runtime.runPromise(yield* Effect.runtime<never>())
    const server = yield* RedisServer.start()
    const engine = yield* RedisStore.engine({ redis: { port: server.port } })
    const stores: ReadonlyArray<readonly [string, StateStore.StateStore]> = [
      ["in-memory store", StateStore.makeMemory()],
      ["FleetStore, memory engine", yield* FleetStore.make(FleetStore.memoryEngine())],
      ["FleetStore on Redis", yield* FleetStore.make(engine)]
    ]
    const contenders: ReadonlyArray<Contender> = stores.map(([name, store]) => {
      const calls = Effect.repeatN(
        RetryPolicy.retry(Effect.void, policy, context).pipe(Effect.provideService(StateStore.StateStore, store)),
        batch - 1
      )
      return { name, call: () => run(calls).then(turn) }
    })
    const requestsBefore = engine.counters.requests
    const started = performance.now()
    const result = yield* Effect.promise(() =>
      race(contenders, { baseline: "in-memory store", rounds, calls: 50, warmup: 20 })
    )
    const seconds = (performance.now() - started) / 1000
    const perCall = (s: Spread): Spread => ({ median: s.median / batch, q1: s.q1 / batch, q3: s.q3 / batch })
    return {
      result: {
        ...result,
        calls: result.calls * batch,
        standings: result.standings.map((s) => ({
          ...s,
          wallMicros: perCall(s.wallMicros),
          cpuMicros: perCall(s.cpuMicros)
        }))
      },
      redisRequestsPerSecond: (engine.counters.requests - requestsBefore) / seconds
    }
  })
