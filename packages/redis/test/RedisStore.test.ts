import { describe, expect, it } from "@effect/vitest"
import { FleetStore, RetryEvent, RetryPolicy, RetryQuota, StateStore } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { RedisStore } from "@rebound/redis"
import { RedisServer } from "@rebound/redis/testing"
import { Effect, Layer, Ref } from "effect"
import { Redis } from "ioredis"
import { skipRedis } from "./redis.js"

const tests = [
  "compare-and-set: concurrent writers from two clients lose no update",
  "time is the Redis server's",
  "two processes spend one quota through Redis",
  "killing Redis mid-run fails no call; the store falls back and resumes when Redis is back"
]
const skip = skipRedis("packages/redis/test/RedisStore.test.ts", tests)

const quota = RetryQuota.make({ name: "redis-q", capacity: 100, retryCost: 10, throttlingRetryCost: 10 })
const policy = RetryPolicy.make({
  name: "redis",
  maxAttempts: 3,
  base: 1,
  cap: 1,
  jitter: "none",
  throttling: { base: 1, cap: 1 },
  quota
})
const context = { service: "Orders", operation: "PutItem", resource: "orders", scope: "orders-fleet" } as const
const quickly = { syncInterval: "5 millis", syncTimeout: "100 millis" } as const
const eventually = <A>(read: Effect.Effect<A>, check: (a: A) => boolean): Effect.Effect<A> =>
  Effect.flatMap(
    read,
    (a) => check(a) ? Effect.succeed(a) : Effect.zipRight(Effect.sleep("5 millis"), eventually(read, check))
  )

describe.skipIf(skip)("RedisStore on a real redis-server", () => {
  it.live(tests[0]!, () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start()
      const a = yield* RedisStore.engine({ redis: { port: server.port }, maxConflicts: 1_000 })
      const b = yield* RedisStore.engine({ redis: { port: server.port }, maxConflicts: 1_000 })
      const increment = (engine: FleetStore.Engine) =>
        engine.update("counter", (record) => {
          const next = ((record as number | undefined) ?? 0) + 1
          return [next, next] as const
        })
      yield* Effect.forEach(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b)), increment, {
        concurrency: "unbounded"
      })
      const last = yield* increment(a)
      expect(last.value).toBe(41)
      expect(a.counters.requests + b.counters.requests).toBeGreaterThanOrEqual(82)
    }).pipe(Effect.scoped))

  it.live(tests[1]!, () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start()
      const engine = yield* RedisStore.engine({ redis: { port: server.port } })
      const client = new Redis({ port: server.port, lazyConnect: true })
      const [seconds] = yield* Effect.promise(() => client.time())
      client.disconnect()
      const { nowMillis } = yield* engine.update("clock", () => [undefined, undefined] as const)
      expect(Math.abs(nowMillis - Number(seconds) * 1000)).toBeLessThan(2_000)
    }).pipe(Effect.scoped))

  it.live(tests[2]!, () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start()
      const make = (process: string) =>
        Effect.flatMap(RedisStore.engine({ redis: { port: server.port } }), (engine) =>
          FleetStore.make(engine, { ...quickly, process }))
      const stores = [yield* make("a"), yield* make("b")]
      const attempts = yield* Ref.make(0)
      const failing = Effect.zipRight(
        Ref.update(attempts, (n) =>
          n + 1),
        Effect.fail(Testing.failureOf("transient")!)
      )
      for (let i = 0; i < 30; i++) {
        for (const store of stores) {
          yield* Effect.exit(
            RetryPolicy.retry(failing, policy, context).pipe(Effect.provideService(StateStore.StateStore, store))
          )
          yield* Effect.sleep("3 millis")
        }
      }
      // 100 tokens for the fleet (10 retries), not 100 for each process (20).
      expect((yield* Ref.get(attempts)) - 60).toBeLessThanOrEqual(10)
    }).pipe(Effect.scoped))

  it.live(tests[3]!, () =>
    Effect.gen(function*() {
      const server = yield* RedisServer.start()
      const events = yield* Ref.make<ReadonlyArray<RetryEvent.RetryEvent>>([])
      const observer = RetryEvent.addObserver((e) => Ref.update(events, (all) => [...all, e]))
      const store = yield* Layer.build(
        Layer.provide(RedisStore.layer({ redis: { port: server.port } }, quickly), observer)
      )
      const flaky = yield* Testing.scripted(["transient", "success"])
      const call = Effect.provide(RetryPolicy.retry(flaky.call, policy, context), store)
      let calls = 0
      const run = (n: number) =>
        Effect.forEach(Array.from({ length: n }), () =>
          Effect.tap(call, () => {
            calls++
          }), { discard: true })
      yield* run(20)
      yield* server.kill
      yield* run(20) // no call fails while Redis is gone
      yield* eventually(Ref.get(events), (all) => all.some(RetryEvent.$is("StoreFellBack")))
      yield* server.restart
      yield* run(20)
      const all = yield* eventually(Ref.get(events), (all) => all.some(RetryEvent.$is("StoreResumed")))
      expect(calls).toBe(60)
      expect(all.find(RetryEvent.$is("StoreFellBack"))?.reason).toBe("unreachable")
    }).pipe(Effect.scoped))
})
