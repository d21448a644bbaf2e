// `pnpm bench:fleet`: what a fleet store costs a call on the success path, beside the in-memory store. Wall time,
// reported and never asserted. The call is `RetryPolicy.retry(Effect.void)` under a policy with a quota, a limiter
// and a breaker (three shared keys); the fleet store's leases are in place, so no call waits for Redis.
import { AdaptiveLimiter, CircuitBreaker, FleetStore, RetryPolicy, RetryQuota, StateStore } from "@rebound/core"
import { RedisStore } from "@rebound/redis"
import { RedisServer } from "@rebound/redis/testing"
import { Effect } from "effect"

const policy = RetryPolicy.make({
  name: "bench",
  quota: RetryQuota.aws2026,
  limiter: AdaptiveLimiter.aws,
  breaker: CircuitBreaker.consecutive({ name: "bench" })
})
const context = { service: "Bench", operation: "Call", resource: "table", scope: "bench-fleet" } as const
const calls = 50_000

const perCall = (store: StateStore.StateStore) =>
  Effect.gen(function*() {
    const one = RetryPolicy.retry(Effect.void, policy, context).pipe(
      Effect.provideService(StateStore.StateStore, store)
    )
    for (let i = 0; i < 2_000; i++) yield* one // warm-up, and the first syncs
    yield* Effect.sleep("300 millis")
    const samples: Array<number> = []
    for (let round = 0; round < 5; round++) {
      const started = performance.now()
      for (let i = 0; i < calls; i++) yield* one
      samples.push(((performance.now() - started) * 1000) / calls)
    }
    return samples.sort((a, b) => a - b)[2]!
  })

const program = Effect.gen(function*() {
  const memory = yield* perCall(StateStore.makeMemory())
  const fleetMemory = yield* perCall(yield* FleetStore.make(FleetStore.memoryEngine()))
  const server = yield* RedisServer.start()
  const engine = yield* RedisStore.engine({ redis: { port: server.port } })
  const before = engine.counters.requests
  const started = performance.now()
  const redis = yield* perCall(yield* FleetStore.make(engine))
  const seconds = (performance.now() - started) / 1000
  const rate = (engine.counters.requests - before) / seconds
  console.log(`success path, µs per call (median of 5 × ${calls}), policy with quota + limiter + breaker:`)
  console.log(`  in-memory store           ${memory.toFixed(2)}`)
  console.log(`  FleetStore, memory engine ${fleetMemory.toFixed(2)}  (+${(fleetMemory - memory).toFixed(2)})`)
  console.log(
    `  FleetStore on Redis       ${redis.toFixed(2)}  (+${(redis - memory).toFixed(2)}); Redis requests ${
      rate.toFixed(0)
    }/s for 3 keys`
  )
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(String(e))
  process.exit(1)
})
