// `pnpm bench:fleet`: what a fleet store costs a call on the success path, raced against the in-memory store in the
// same process, in rotated rounds with ratios paired round by round (Race.ts). Wall and CPU time, reported and never
// asserted. The call is `RetryPolicy.retry(Effect.void)` under a policy with a quota, a limiter and a breaker (three
// shared keys); the fleet stores' leases are in place after the warm-up, so no call waits for its engine — what is
// measured is the local step plus the background syncs' share of the process.
import { AdaptiveLimiter, CircuitBreaker, FleetStore, RetryPolicy, RetryQuota, StateStore } from "@rebound/core"
import { RedisStore } from "@rebound/redis"
import { RedisServer } from "@rebound/redis/testing"
import { Effect, Runtime } from "effect"
import * as os from "node:os"
import { type Contender, race } from "./Race.js"

const policy = RetryPolicy.make({
  name: "bench",
  quota: RetryQuota.aws2026,
  limiter: AdaptiveLimiter.aws,
  breaker: CircuitBreaker.consecutive({ name: "bench" })
})
const context = { service: "Bench", operation: "Call", resource: "table", scope: "bench-fleet" } as const
/** Calls per timed unit: one `runPromise` runs this many sequential calls, so its own cost is spread thin. */
const batch = 200
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

const program = Effect.gen(function*() {
  const runtime = yield* Effect.runtime<never>()
  const run = Runtime.runPromise(runtime)
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
    // A turn of the event loop after each batch, as an application's I/O gives: the fleet store's syncs run on
    // timers, and a loop of promises that settle at once would starve them (and leave their cost out).
    return { name, call: () => run(calls).then(turn) }
  })
  const requestsBefore = engine.counters.requests
  const started = performance.now()
  const result = yield* Effect.promise(() =>
    race(contenders, { baseline: "in-memory store", rounds: 21, calls: 50, warmup: 20 })
  )
  const seconds = (performance.now() - started) / 1000
  const f = (x: number) => x.toFixed(3)
  const perCall = (micros: number) => (micros / batch).toFixed(2)
  const cpus = os.cpus()
  console.log(
    `# bench:fleet — ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}; ` +
      `load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`
  )
  console.log(
    `\nsuccess path of RetryPolicy.retry(Effect.void), quota + limiter + breaker; ${result.rounds} rotated rounds × ` +
      `${result.calls * batch} calls per contender; ratios paired per round (median and IQR)\n`
  )
  console.log("| store | wall ÷ in-memory (IQR) | CPU ÷ in-memory (IQR) | wall µs/call | CPU µs/call |")
  console.log("| --- | --- | --- | --- | --- |")
  for (const s of result.standings) {
    console.log(
      `| ${s.name} | ${f(s.wallRatio.median)} (${f(s.wallRatio.q1)}–${f(s.wallRatio.q3)}) | ${f(s.cpuRatio.median)} (${
        f(s.cpuRatio.q1)
      }–${f(s.cpuRatio.q3)}) | ${perCall(s.wallMicros.median)} | ${perCall(s.cpuMicros.median)} |`
    )
  }
  console.log(
    `\nRedis engine requests during the race: ${
      ((engine.counters.requests - requestsBefore) / seconds).toFixed(1)
    }/s ` +
      `for 3 shared keys (syncInterval 250 ms)`
  )
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (e) => {
    console.error(String(e))
    process.exit(1)
  }
)
