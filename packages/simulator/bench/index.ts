// `pnpm bench`: wall-time measurements, reported as numbers and never asserted (timing tests on a shared machine
// only flake). Each bench is an entry below; the ones that need code not written yet say so instead of faking a number.
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { Presets, RetryEvent, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { ConfiguredRetryStrategy } from "@smithy/core/retry"
import { HttpResponse } from "@smithy/protocol-http"
import { Clock, Duration, Effect, TestContext } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import { Sweep } from "../src/index.js"

interface Bench {
  readonly name: string
  /** Returns the measured number and its unit, or why it cannot be measured yet. */
  readonly run: () => Promise<{ readonly value: number; readonly unit: string; readonly note: string }>
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

/**
 * An in-memory request handler: answers every request without a network, so what is measured is the client and what
 * wraps it. With `throttleFirst`, every other request is throttled (HTTP 400, ProvisionedThroughputExceededException),
 * so each call takes exactly one retry.
 */
const inMemory = (throttleFirst: boolean) => {
  let n = 0
  const ok = new TextEncoder().encode(JSON.stringify({ Item: { pk: { S: "1" } } }))
  const throttled = new TextEncoder().encode(
    JSON.stringify({
      __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
      message: "slow"
    })
  )
  return {
    metadata: { handlerProtocol: "http/1.1" },
    handle: async () => {
      const fail = throttleFirst && n++ % 2 === 0
      return {
        response: new HttpResponse({
          statusCode: fail ? 400 : 200,
          headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "bench" },
          body: fail ? throttled : ok
        })
      }
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined
  }
}

const settings = { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }
const getItem = () => new GetItemCommand({ TableName: "bench", Key: { pk: { S: "1" } } })

/**
 * Microseconds per call of each contender: rounds of `calls` sequential calls, the contenders taking turns round by
 * round (so a machine that slows down mid-run slows both), and the median round of each.
 */
const perCallEach = async <K extends string>(
  contenders: Record<K, () => Promise<unknown>>,
  calls = 1_000,
  rounds = 15
): Promise<Record<K, number>> => {
  const entries = Object.entries(contenders) as Array<[K, () => Promise<unknown>]>
  for (const [, call] of entries) for (let i = 0; i < 500; i++) await call() // warm-up: module initialisation and JIT
  const samples = new Map<K, Array<number>>(entries.map(([k]) => [k, []]))
  for (let r = 0; r < rounds; r++) {
    for (const [k, call] of entries) {
      const started = performance.now()
      for (let i = 0; i < calls; i++) await call()
      samples.get(k)!.push(((performance.now() - started) * 1000) / calls)
    }
  }
  return Object.fromEntries(entries.map(([k]) => [k, median(samples.get(k)!)])) as Record<K, number>
}

/** A policy that retries once with no delay, so only the machinery is compared with the SDK's. */
const zeroDelay = RetryPolicy.make({
  name: "bench",
  maxAttempts: 2,
  base: 0,
  throttling: { base: 0 },
  retryAfter: false
})

/**
 * rebound's `send` against the raw `client.send` of the same kind of SDK client. On the retry path both retry once
 * with no delay (the SDK through a `ConfiguredRetryStrategy` of 0 ms, rebound through a 0 ms policy), so only the
 * machinery is compared. `policy` is rebound's: the 0 ms one, or the default preset (quota and breaker included).
 */
const sendOverhead = async (
  handler: () => ConstructorParameters<typeof DynamoDBClient>[0],
  policy: RetryPolicy.RetryPolicy
) => {
  const raw = new DynamoDBClient({ ...settings, ...handler(), retryStrategy: new ConfiguredRetryStrategy(2, 0) })
  const result = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const ddb = yield* DynamoDB.make({ ...settings, policy, sdk: handler() })
    return yield* Effect.promise(() =>
      perCallEach({
        raw: () => raw.send(getItem()),
        rebound: () => Effect.runPromise(ddb.send(getItem()))
      })
    )
  })))
  raw.destroy()
  return { rawMicros: result.raw, reboundMicros: result.rebound, ratio: result.rebound / result.raw }
}

/** A DynamoDB endpoint on loopback HTTP that answers every request at once: a real socket, no service work. */
const loopback = async () => {
  const body = JSON.stringify({ Item: { pk: { S: "1" } } })
  const server = http.createServer((request, response) => {
    request.resume()
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "bench" })
      response.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** `RetryPolicy.retry` around an effect that succeeds: with no observer, then with one that does nothing. */
const eventCost = async () => {
  const policy = RetryPolicy.make({ name: "bench" })
  const call = RetryPolicy.retry(Effect.succeed(1), policy, { service: "S", operation: "O" })
  const silent = () => Effect.runPromise(call)
  const observed = RetryEvent.withObserver(call, () => Effect.void)
  const listening = () => Effect.runPromise(observed)
  const bare = () => Effect.runPromise(Effect.succeed(1))
  return perCallEach({ bare, silent, listening }, 2_000)
}

const overheadResult = (
  r: { readonly rawMicros: number; readonly reboundMicros: number; readonly ratio: number },
  target: string
) => ({
  value: r.ratio,
  unit: "× the raw client's time",
  note: `rebound ${r.reboundMicros.toFixed(1)} µs/call vs raw ${r.rawMicros.toFixed(1)} µs/call, ${
    (r.reboundMicros - r.rawMicros).toFixed(1)
  } µs more; ${target}`
})

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
  ...([
    ["success", false, zeroDelay],
    ["success, the default policy (Presets.rebound: quota and breaker)", false, Presets.rebound],
    ["one retry per call", true, zeroDelay]
  ] as const).map(([label, withRetry, policy]): Bench => ({
    name: `rebound DynamoDB.send vs raw client.send, ${label} (in-memory handler)`,
    run: async () => {
      const r = await sendOverhead(() => ({ requestHandler: inMemory(withRetry) }), policy)
      return overheadResult(r, withRetry ? "for reference" : "target ≤ 1.10")
    }
  })),
  {
    name: "rebound DynamoDB.send vs raw client.send, success over loopback HTTP (a local server, a real socket)",
    run: async () => {
      const server = await loopback()
      try {
        const r = await sendOverhead(() => ({ endpoint: server.endpoint }), zeroDelay)
        return overheadResult(r, "for reference: the in-memory rows leave out the socket every real call has")
      } finally {
        await server.close()
      }
    }
  },
  {
    name: "events when nobody subscribes: RetryPolicy.retry of a successful effect",
    run: async () => {
      const r = await eventCost()
      return {
        value: r.silent,
        unit: "µs/call with no observer",
        note: `${r.listening.toFixed(2)} µs/call with one no-op observer; ${r.bare.toFixed(2)} µs for the bare effect`
      }
    }
  }
]

console.log(`rebound bench — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}`)
for (const bench of benches) {
  const result = await bench.run()
  console.log(
    `- ${bench.name}: ${
      result.value.toLocaleString("en-US", { maximumFractionDigits: 2 })
    } ${result.unit} (${result.note})`
  )
}
