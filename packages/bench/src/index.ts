// `pnpm bench`: rebound's own cost, raced against the raw AWS SDK client and its peers in one process. Wall time and
// CPU time are reported, never asserted (timing tests on a shared machine only flake); every ratio is a median of
// ratios paired round by round against a baseline measured in the same run (see Race.ts). Each run is saved to
// docs/benchmarks/overhead-runs/; `pnpm bench:report` prints the ranges over the saved runs.
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb"
import * as EffectAws from "@effect-aws/client-dynamodb"
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { Presets, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { RedisServer } from "@rebound/redis/testing"
import { Sweep } from "@rebound/simulator"
import { ConfiguredRetryStrategy } from "@smithy/core/retry"
import { HttpResponse } from "@smithy/protocol-http"
import { ExponentialBackoff, handleAll, retry as cockatielRetry } from "cockatiel"
import { Effect, Exit, Layer, Schedule, Scope, TestContext } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { fleetRace } from "./FleetRace.js"
import { type Contender, quantile, race, type RaceResult } from "./Race.js"
import { type Measure, type Run, runsDirectory } from "./Report.js"

const quick = process.argv.includes("--quick")
const rounds = quick ? 5 : 21

/**
 * An in-memory request handler: answers every request without a network, so what is measured is the client and what
 * wraps it. With `throttleEveryOther`, every other request is throttled (HTTP 400,
 * ProvisionedThroughputExceededException), so each call takes exactly one retry.
 */
const inMemory = (throttleEveryOther = false) => {
  let n = 0
  const ok = new TextEncoder().encode(JSON.stringify({ Item: { pk: { S: "1" } } }))
  const throttled = new TextEncoder().encode(
    JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", message: "x" })
  )
  return {
    metadata: { handlerProtocol: "http/1.1" },
    handle: async () => {
      const fail = throttleEveryOther && n++ % 2 === 0
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
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const settings = { region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }
const input = { TableName: "bench", Key: { pk: { S: "1" } } }
const getItem = () => new GetItemCommand(input)

/** A policy without guards (no quota, budget, limiter or breaker): AWS's 2026 curves for DynamoDB, unguarded. */
const unguarded = RetryPolicy.withoutGuards(Presets.awsJs2026DynamoDB)

/** The hand-rolled Effect retry the issue names: exponential · jittered · recurs 2. */
const handRolled = Schedule.exponential("50 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(2)))

const cockatiel = cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() })

/** rebound's DynamoDB service, built once as an application would (its own client, its own guard scope). */
const reboundService = (options: DynamoDB.Options, scope: Scope.Scope): Promise<DynamoDB.DynamoDBService> =>
  Effect.runPromise(Effect.provideService(DynamoDB.make(options), Scope.Scope, scope))

/** An OpenTelemetry tracer (`@effect/opentelemetry`): spans created and ended, exported nowhere. */
const otelTracer = () =>
  Effect.runPromise(
    Effect.provide(
      Effect.tracer,
      OtelTracer.layer.pipe(
        Layer.provide(Layer.succeed(OtelTracer.OtelTracerProvider, new BasicTracerProvider())),
        Layer.provide(OtelResource.layer({ serviceName: "rebound-bench" }))
      )
    )
  )

const measures: Array<Measure> = []

const report = (group: string, result: RaceResult, targets: Record<string, string> = {}) => {
  console.log(`\n## ${group} — ÷ ${result.baseline}, ${result.rounds} rounds × ${result.calls} calls`)
  console.log("| contender | wall ÷ baseline (IQR) | CPU ÷ baseline (IQR) | wall µs/call | CPU µs/call | target |")
  console.log("| --- | --- | --- | --- | --- | --- |")
  for (const s of result.standings) {
    const f = (x: number) => x.toFixed(3)
    console.log(
      `| ${s.name} | ${f(s.wallRatio.median)} (${f(s.wallRatio.q1)}–${f(s.wallRatio.q3)}) | ${f(s.cpuRatio.median)} (${
        f(s.cpuRatio.q1)
      }–${f(s.cpuRatio.q3)}) | ${s.wallMicros.median.toFixed(1)} | ${s.cpuMicros.median.toFixed(1)} | ${
        targets[s.name] ?? ""
      } |`
    )
    measures.push({
      group,
      name: s.name,
      baseline: result.baseline,
      wallRatio: s.wallRatio.median,
      cpuRatio: s.cpuRatio.median,
      wallMicros: s.wallMicros.median,
      cpuMicros: s.cpuMicros.median,
      target: targets[s.name]
    })
  }
}

const inMemoryRace = async (scope: Scope.Scope) => {
  const raw = new DynamoDBClient({ ...settings, requestHandler: inMemory() })
  const effectAws = await Effect.runPromise(
    Effect.provide(
      EffectAws.DynamoDBService,
      EffectAws.DynamoDBService.baseLayer(() => new DynamoDBClient({ ...settings, requestHandler: inMemory() }))
    )
  )
  const byDefault = await reboundService({ ...settings, sdk: { requestHandler: inMemory() } }, scope)
  const withoutGuards = await reboundService(
    { ...settings, policy: unguarded, sdk: { requestHandler: inMemory() } },
    scope
  )
  const tracer = await otelTracer()
  const contenders: Array<Contender> = [
    { name: "raw client.send (SDK retries)", call: () => raw.send(getItem()) },
    {
      name: "Effect.tryPromise + runPromise",
      call: () => Effect.runPromise(Effect.tryPromise(() => raw.send(getItem())))
    },
    {
      name: "hand-rolled Effect.retry",
      call: () => Effect.runPromise(Effect.retry(Effect.tryPromise(() => raw.send(getItem())), handRolled))
    },
    { name: "cockatiel 3.2 retry", call: () => cockatiel.execute(() => raw.send(getItem())) },
    { name: "effect-aws 1.11 getItem", call: () => Effect.runPromise(effectAws.getItem(input)) },
    {
      name: "rebound RetryPolicy.retry(send, Presets.none)",
      call: () => Effect.runPromise(RetryPolicy.retry(Effect.tryPromise(() => raw.send(getItem())), Presets.none))
    },
    { name: "rebound DynamoDB.send, default preset", call: () => Effect.runPromise(byDefault.send(getItem())) },
    { name: "rebound DynamoDB.send, no guards", call: () => Effect.runPromise(withoutGuards.send(getItem())) },
    {
      name: "rebound DynamoDB.send, default preset, OpenTelemetry on",
      call: () => Effect.runPromise(Effect.withTracer(byDefault.send(getItem()), tracer))
    }
  ]
  const result = await race(contenders, { baseline: contenders[0]!.name, rounds, calls: 200 })
  report("GetItem on an in-memory request handler", result, {
    "rebound DynamoDB.send, default preset": "≤ 1.15, below effect-aws",
    "rebound DynamoDB.send, no guards": "≤ 1.10"
  })
  raw.destroy()
}

const loopbackRace = async (scope: Scope.Scope) => {
  const server = await loopback()
  try {
    const raw = new DynamoDBClient({ ...settings, endpoint: server.endpoint })
    const byDefault = await reboundService({ ...settings, endpoint: server.endpoint }, scope)
    const withoutGuards = await reboundService({ ...settings, endpoint: server.endpoint, policy: unguarded }, scope)
    const contenders: Array<Contender> = [
      { name: "raw client.send (SDK retries)", call: () => raw.send(getItem()) },
      { name: "rebound DynamoDB.send, default preset", call: () => Effect.runPromise(byDefault.send(getItem())) },
      { name: "rebound DynamoDB.send, no guards", call: () => Effect.runPromise(withoutGuards.send(getItem())) }
    ]
    const result = await race(contenders, { baseline: contenders[0]!.name, rounds, calls: 100 })
    report("GetItem over loopback HTTP (a local server, a real socket)", result, {
      "rebound DynamoDB.send, default preset": "≤ 1.05"
    })
    raw.destroy()
  } finally {
    await server.close()
  }
}

/** A CallError every other attempt: each call takes exactly one retry. */
const failingEveryOther = () => {
  let n = 0
  const failure = Testing.failureOf("transient")!
  return Effect.suspend(() => (n++ % 2 === 0 ? Effect.fail(failure) : Effect.succeed(1)))
}

const zeroDelay = RetryPolicy.make({
  name: "0 ms",
  maxAttempts: 3,
  base: 0,
  throttling: { base: 0 },
  retryAfter: false
})

const effectRaces = async () => {
  const succeed = Effect.succeed(1)
  const succeeding: Array<Contender> = [
    { name: "Effect.retry(Effect.succeed)", call: () => Effect.runPromise(Effect.retry(succeed, handRolled)) },
    {
      name: "RetryPolicy.retry(Effect.succeed), default preset",
      call: () => Effect.runPromise(RetryPolicy.retry(succeed, Presets.rebound))
    },
    {
      name: "RetryPolicy.retry(Effect.succeed), Presets.none",
      call: () => Effect.runPromise(RetryPolicy.retry(succeed, Presets.none))
    },
    { name: "Effect.succeed alone", call: () => Effect.runPromise(succeed) }
  ]
  report(
    "a successful effect",
    await race(succeeding, { baseline: succeeding[0]!.name, rounds, calls: 2_000 }),
    { "RetryPolicy.retry(Effect.succeed), default preset": "≤ 2" }
  )
  const handRolledZero = Schedule.exponential(0).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(2)))
  const handFailing = failingEveryOther()
  const reboundFailing = failingEveryOther()
  const retrying: Array<Contender> = [
    {
      name: "hand-rolled Effect.retry, one retry at 0 ms",
      call: () => Effect.runPromise(Effect.retry(handFailing, handRolledZero))
    },
    {
      name: "RetryPolicy.retry, one retry at 0 ms",
      call: () => Effect.runPromise(RetryPolicy.retry(reboundFailing, zeroDelay))
    }
  ]
  report(
    "one retry at 0 ms",
    await race(retrying, { baseline: retrying[0]!.name, rounds, calls: 200 }),
    { "RetryPolicy.retry, one retry at 0 ms": "≤ 1.1" }
  )
}

/**
 * The two shapes a traced call could take under OpenTelemetry, on a call that does nothing else: a span per call and
 * a child span per attempt (rebound's), or one span per call with each attempt as a span event.
 */
const spanShapes = async () => {
  const tracer = await otelTracer()
  const options = { captureStackTrace: false, attributes: { "rebound.service": "S", "rebound.operation": "O" } }
  const withOtel = <A>(effect: Effect.Effect<A>) => Effect.runPromise(Effect.withTracer(effect, tracer))
  const succeed = Effect.succeed(1)
  const twoSpans = succeed.pipe(
    Effect.withSpan("rebound.attempt", { captureStackTrace: false, attributes: { "rebound.attempt": 1 } }),
    Effect.withSpan("rebound.call", options)
  )
  const spanAndEvent = Effect.flatMap(Effect.currentSpan, (span) => {
    span.event("rebound.attempt", process.hrtime.bigint(), { "rebound.attempt": 1 })
    return succeed
  }).pipe(Effect.orDie, Effect.withSpan("rebound.call", options))
  const contenders: Array<Contender> = [
    { name: "no span", call: () => withOtel(succeed) },
    { name: "a call span and an attempt span (rebound)", call: () => withOtel(twoSpans) },
    { name: "a call span with an attempt event", call: () => withOtel(spanAndEvent) }
  ]
  report("span shapes under OpenTelemetry", await race(contenders, { baseline: "no span", rounds, calls: 1_000 }))
}

const oneRetryRace = async (scope: Scope.Scope) => {
  const raw = new DynamoDBClient({
    ...settings,
    requestHandler: inMemory(true),
    retryStrategy: new ConfiguredRetryStrategy(2, 0)
  })
  const rebound = await reboundService(
    { ...settings, policy: zeroDelay, sdk: { requestHandler: inMemory(true) } },
    scope
  )
  const contenders: Array<Contender> = [
    { name: "raw client.send, SDK retry at 0 ms", call: () => raw.send(getItem()) },
    { name: "rebound DynamoDB.send, retry at 0 ms", call: () => Effect.runPromise(rebound.send(getItem())) }
  ]
  report(
    "GetItem throttled once per call, in-memory handler",
    await race(contenders, { baseline: contenders[0]!.name, rounds, calls: 100 })
  )
  raw.destroy()
}

/** Policies whose retries span exactly one hour of virtual time: 12 exponential sleeps, and 60 one-minute sleeps. */
const hours = [
  {
    target: "< 50 ms",
    policy: RetryPolicy.make({
      name: "12 exponential sleeps",
      maxAttempts: 13,
      base: 3_600_000 / 4095,
      factor: 2,
      cap: "1 hour",
      jitter: "none",
      retryAfter: false
    })
  },
  {
    target: "< 100 ms",
    policy: RetryPolicy.make({
      name: "60 one-minute sleeps",
      maxAttempts: 61,
      base: "1 minute",
      factor: 1,
      cap: "1 minute",
      jitter: "none",
      retryAfter: false
    })
  }
]

/**
 * Each hour through `Testing.timeline` under one `TestContext` (as in one `it.effect` test), so what is timed is the
 * timeline — the scripted call, its sleeps and the move of `TestClock` to where the call ended — not building the
 * test services.
 */
const virtualHours = async () => {
  console.log("\n## an hour of backoff through Testing.timeline (wall ms, median of 15 after a warm-up)")
  console.log("| policy | median ms | IQR | target |")
  console.log("| --- | --- | --- | --- |")
  for (const { policy, target } of hours) {
    const once = Effect.gen(function*() {
      const started = performance.now()
      const timeline = yield* Testing.timeline({ policy, outcomes: ["transient"] })
      if (Math.abs(timeline.end - 3_600_000) > 1e-6) throw new Error(`expected an hour, got ${timeline.end} ms`)
      return performance.now() - started
    })
    const samples = await Effect.runPromise(
      Effect.zipRight(once, Effect.replicateEffect(once, 15)).pipe(Effect.provide(TestContext.TestContext))
    )
    const median = quantile(samples, 0.5)
    console.log(
      `| ${policy.name} | ${median.toFixed(1)} | ${quantile(samples, 0.25).toFixed(1)}–${
        quantile(samples, 0.75).toFixed(1)
      } | ${target} |`
    )
    measures.push({ group: "virtual time", name: policy.name, millis: median, target })
  }
}

const simulatorSpeed = () => {
  const plan = Sweep.plan({ ...Sweep.defaults, scenarios: ["C1"], seeds: 1 })
  const started = performance.now()
  const events = plan.tasks.reduce((n, task) => n + task.run(), 0)
  const seconds = (performance.now() - started) / 1000
  console.log(
    `\n## simulator: ${
      Math.round(events / seconds).toLocaleString("en-US")
    } events/s (scenario C1, every policy, one seed)`
  )
  measures.push({ group: "simulator", name: "events per second, scenario C1", perSecond: events / seconds })
}

/** A fleet store's cost per call on the success path, beside the in-memory store (FleetRace.ts); needs `redis-server`. */
const fleetStores = async () => {
  if (RedisServer.binary() === undefined) {
    console.log("\n## fleet stores — skipped: no redis-server on this machine (apt-get install redis-server)")
    return
  }
  const { redisRequestsPerSecond, result } = await Effect.runPromise(Effect.scoped(fleetRace(rounds)))
  report("success path on a fleet store (RetryPolicy.retry(Effect.void), quota + limiter + breaker)", result)
  console.log(`Redis engine requests during the race: ${redisRequestsPerSecond.toFixed(1)}/s for 3 shared keys`)
}

const loadNow = () => os.loadavg().map((l) => l.toFixed(2)).join(" ")

const main = async () => {
  const loadBefore = loadNow()
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}`
  console.log(`# rebound bench — ${machine}; load average ${loadBefore}`)
  const scope = Effect.runSync(Scope.make())
  await inMemoryRace(scope)
  await loopbackRace(scope)
  await effectRaces()
  await spanShapes()
  await oneRetryRace(scope)
  await virtualHours()
  await fleetStores()
  if (!quick) simulatorSpeed()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  const loadAfter = loadNow()
  console.log(`\nload average before ${loadBefore}, after ${loadAfter}`)
  const run: Run = { at: new Date().toISOString(), machine, loadBefore, loadAfter, quick, measures }
  if (!quick) {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
    const directory = path.join(root, runsDirectory)
    fs.mkdirSync(directory, { recursive: true })
    const file = path.join(directory, `${run.at.replace(/[:.]/g, "-")}.json`)
    fs.writeFileSync(file, JSON.stringify(run, null, 2) + "\n")
    console.log(`saved ${path.relative(root, file)}; \`pnpm bench:report\` prints the ranges over the saved runs`)
  }
}

await main()
