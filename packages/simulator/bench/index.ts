// `pnpm bench`: wall-time measurements, reported as numbers and never asserted (timing tests on a shared machine
// only flake). Each bench is an entry below; the ones that need code not written yet say so instead of faking a number.
import { RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Clock, Duration, Effect, TestContext } from "effect"
import * as os from "node:os"
import { Sweep } from "../src/index.js"

interface Bench {
  readonly name: string
  /** Returns the measured number and its unit, or why it cannot be measured yet. */
  readonly run: () => Promise<
    { readonly value: number; readonly unit: string; readonly note: string } | { readonly pending: string }
  >
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * Two policies whose retries span exactly one hour of virtual time: 12 exponential sleeps (3600/4095 s · 2ⁿ), and 60
 * sleeps of one minute. TestClock's cost grows with the number of sleeps, not with the virtual time they cover.
 */
const hours = [
  RetryPolicy.make({
    name: "12 exponential sleeps",
    maxAttempts: 13,
    base: (3_600_000 / 4095),
    factor: 2,
    cap: "1 hour",
    jitter: "none",
    retryAfter: false
  }),
  RetryPolicy.make({
    name: "60 one-minute sleeps",
    maxAttempts: 61,
    base: "1 minute",
    factor: 1,
    cap: "1 minute",
    jitter: "none",
    retryAfter: false
  })
]

const timeHour = async (policy: RetryPolicy.RetryPolicy) => {
  const once = Effect.gen(function*() {
    const timeline = yield* Testing.timeline({ policy, outcomes: ["transient"], draws: [0.5] })
    if (Math.abs(timeline.end - 3_600_000) > 1e-6) {
      throw new Error(`expected an hour of backoff, got ${timeline.end} ms`)
    }
  }).pipe(Effect.provide(TestContext.TestContext))
  await Effect.runPromise(once) // warm-up: module initialisation and JIT
  const samples: Array<number> = []
  for (let i = 0; i < 15; i++) {
    const started = performance.now()
    await Effect.runPromise(once)
    samples.push(performance.now() - started)
  }
  return median(samples)
}

/**
 * A virtual clock whose sleeps advance time at once — no polling of real timers. Not `TestClock`: shown for comparison,
 * as what a faster testing driver could build on.
 */
const virtualClock = (): Clock.Clock => {
  let now = 0
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: () => BigInt(Math.round(now * 1e6)),
    currentTimeNanos: Effect.sync(() => BigInt(Math.round(now * 1e6))),
    sleep: (duration) => Effect.sync(() => void (now += Duration.toMillis(duration)))
  }
}

const timeVirtual = async (policy: RetryPolicy.RetryPolicy) => {
  const once = Effect.gen(function*() {
    const call = Effect.fail(Testing.failureOf("transient")!)
    yield* Effect.either(RetryPolicy.retry(call, policy))
    const end = yield* Clock.currentTimeMillis
    if (Math.abs(end - 3_600_000) > 1e-6) throw new Error(`expected an hour of backoff, got ${end} ms`)
  })
  const run = () => Effect.runPromise(Effect.withClock(once, virtualClock()))
  await run()
  const samples: Array<number> = []
  for (let i = 0; i < 15; i++) {
    const started = performance.now()
    await run()
    samples.push(performance.now() - started)
  }
  return median(samples)
}

const benches: ReadonlyArray<Bench> = [
  ...hours.map((policy): Bench => ({
    name: `TestClock: an hour of backoff in ${policy.name} (Testing.timeline)`,
    run: async () => ({
      value: await timeHour(policy),
      unit: "ms",
      note: "wall time, median of 15 runs after a warm-up; target < 50 ms"
    })
  })),
  {
    name: "for comparison, not TestClock: the 60-sleep hour on a virtual Clock whose sleeps advance at once",
    run: async () => ({
      value: await timeVirtual(hours[1]!),
      unit: "ms",
      note: "TestClock's cost is its settling: each adjust waits on real setTimeout(0) turns until fibers are suspended"
    })
  },
  {
    name: "simulator: events per second (scenario C1, every policy, one seed)",
    run: async () => {
      const plan = Sweep.plan({ ...Sweep.defaults, scenarios: ["C1"], seeds: 1 })
      const started = performance.now()
      const events = plan.tasks.reduce((n, task) => n + task.run(), 0)
      const seconds = (performance.now() - started) / 1000
      return {
        value: Math.round(events / seconds),
        unit: "events/s",
        note: `${events} events in ${seconds.toFixed(1)} s`
      }
    }
  },
  {
    name: "rebound send overhead vs raw client.send",
    run: async () => ({ pending: "needs @rebound/aws's send wrapper (not written yet); measure it here when it lands" })
  },
  {
    name: "telemetry events when nobody subscribes",
    run: async () => ({ pending: "needs core's telemetry (not written yet); measure it here when it lands" })
  }
]

console.log(`rebound bench — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}`)
for (const bench of benches) {
  const result = await bench.run()
  console.log(
    "pending" in result ?
      `- ${bench.name}: pending — ${result.pending}` :
      `- ${bench.name}: ${
        result.value.toLocaleString("en-US", { maximumFractionDigits: 2 })
      } ${result.unit} (${result.note})`
  )
}
