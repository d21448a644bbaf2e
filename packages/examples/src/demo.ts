/**
 * `pnpm demo`: rebound's main job. Starts the local AWS lab, runs the boto3 guide's three scenarios under injected
 * throttling and transient faults, shows every retry as it happens — service, operation, attempt, failure, the delay
 * chosen and why — and ends with a summary per scenario and the data verified in the store. It exits 0 only when
 * every piece of data arrived intact.
 *
 * What is fixed and what is not: the faults the demo injects — which operation, which fault, how many — are drawn
 * from the seed, each hits a first attempt only, and so each costs exactly one retry; the same seed injects the same
 * faults on any machine. The throttles that come from capacity (the table's read units, the function's concurrency)
 * depend on how fast this machine serves the calls, so their number — and the retries, redrive rounds, calls and
 * times that follow — vary from run to run. The summary counts the two apart, and checks that every failure was
 * retried: retries = injected faults + capacity throttles (+ any failure this machine caused, shown apart).
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Fault, type FaultProxy, Lab, type LabError } from "@rebound/aws/testing"
import { InvalidOption, Presets, RetryEvent, RetryPolicy } from "@rebound/core"
import { Clock, Console, Data, Effect, Fiber, Layer, Random, Ref } from "effect"
import * as DynamoDBReads from "./dynamodb-reads.js"
import * as LambdaRateLimiting from "./lambda-rate-limiting.js"
import * as S3Uploads from "./s3-uploads.js"

/**
 * The demo's outcome for one scenario.
 *
 * @since 0.1.0
 */
export interface ScenarioSummary {
  readonly name: string
  /** Calls made (each with all its attempts). */
  readonly calls: number
  readonly retries: number
  /** Faults the demo injected (fixed by the seed); each costs one retry. */
  readonly injected: number
  /** Requests refused for lack of capacity (vary with the machine's speed); each costs one retry. */
  readonly capacityThrottles: number
  /** Batches only partly served for lack of capacity; their leftovers are resubmitted. */
  readonly partialBatches: number
  /** Retries after failures neither injected nor from capacity: attempt timeouts or resets this machine caused. */
  readonly otherRetries: number
  readonly stopReasons: Readonly<Record<string, number>>
  readonly seconds: number
  readonly verified: string
  readonly ok: boolean
}

/**
 * Some data did not arrive intact.
 *
 * @since 0.1.0
 */
export class DemoFailed extends Data.TaggedError("DemoFailed")<{ readonly scenarios: ReadonlyArray<string> }> {
  override get message() {
    return `data not verified in: ${this.scenarios.join(", ")}`
  }
}

/**
 * A fault the demo injects, and how to say it.
 *
 * @since 0.1.0
 */
export interface ScheduledFault {
  readonly rule: Fault.Rule
  readonly label: string
}

/**
 * The faults injected into each scenario.
 *
 * @since 0.1.0
 */
export interface FaultSchedule {
  readonly s3: ReadonlyArray<ScheduledFault>
  readonly dynamodb: ReadonlyArray<ScheduledFault>
  readonly lambda: ReadonlyArray<ScheduledFault>
}

/** Files the S3 scenario uploads; each is 11 MiB, so three parts. */
const files = 3

/**
 * The faults a seed injects. Each hits a first attempt only (`attempt: 1`), so each costs exactly one retry and the
 * count is the same on every machine. S3 gets two resets after a part was sent, a stalled part and a 500, spread so
 * that no file takes more than two; all four in flight at once would hold 56 of `Presets.rebound`'s 100 quota tokens,
 * so the quota never refuses one. DynamoDB 2–4 throttles and 1–2 internal errors on the reads; Lambda 2–4 throttles.
 *
 * @since 0.1.0
 */
export const faultSchedule = (seed: number): FaultSchedule =>
  Effect.runSync(
    Effect.gen(function*() {
      const s3Kinds = yield* Random.shuffle([
        { fault: Fault.resetAfterForward, label: "connection reset after the part was sent" },
        { fault: Fault.resetAfterForward, label: "connection reset after the part was sent" },
        { fault: Fault.stall, label: "no answer (the attempt times out)" },
        { fault: Fault.serverError(500), label: "HTTP 500" }
      ])
      const perFile = Array.from({ length: files }, () => 0)
      const s3: Array<ScheduledFault> = []
      for (const kind of s3Kinds) {
        let file = yield* Random.nextIntBetween(0, files)
        while (perFile[file]! >= 2) file = (file + 1) % files
        perFile[file]!++
        const key = S3Uploads.keyOf(file)
        s3.push({
          rule: { service: "s3", operation: "UploadPart", resource: `uploads/${key}`, attempt: 1, fault: kind.fault },
          label: `UploadPart of ${key}: ${kind.label}`
        })
      }
      const throttles = yield* Random.nextIntBetween(2, 5)
      const errors = yield* Random.nextIntBetween(1, 3)
      const dynamodbKinds = yield* Random.shuffle([
        ...Array.from({ length: throttles }, () => ({ fault: Fault.throttle(), label: "throttled" })),
        ...Array.from({ length: errors }, () => ({ fault: Fault.serverError(500), label: "HTTP 500" }))
      ])
      let queries = 0
      const dynamodb: Array<ScheduledFault> = []
      for (const kind of dynamodbKinds) {
        // The query has six pages: at most two of them are faulted, the rest go to the batch reads.
        const operation = queries < 2 && (yield* Random.nextBoolean) ? "Query" : "BatchGetItem"
        if (operation === "Query") queries++
        dynamodb.push({
          rule: { service: "dynamodb", operation, resource: "catalog", attempt: 1, fault: kind.fault },
          label: `${operation}: ${kind.label}`
        })
      }
      const lambdaThrottles = yield* Random.nextIntBetween(2, 5)
      const lambda = Array.from({ length: lambdaThrottles }, (): ScheduledFault => ({
        rule: {
          service: "lambda",
          operation: "Invoke",
          attempt: 1,
          fault: Fault.throttle({ reason: "ConcurrentInvocationLimitExceeded" })
        },
        label: "Invoke: throttled (HTTP 429, the function did not run)"
      }))
      return { s3, dynamodb, lambda }
    }).pipe(Effect.withRandom(Random.make(seed)))
  )

type Counts = Pick<ScenarioSummary, "calls" | "retries" | "stopReasons">

const at = (start: number, now: number) => `${((now - start) / 1000).toFixed(3).padStart(8)}s`
const callName = (call: RetryEvent.CallInfo) => `${call.service}.${call.operation}`.padEnd(28)

/** Counts what happened in one scenario, and prints every retry as it is scheduled. */
const observe = (start: number, stats: Ref.Ref<Counts>, live: boolean): RetryEvent.RetryObserver => (event) =>
  Effect.gen(function*() {
    switch (event._tag) {
      case "Succeeded":
        return yield* Ref.update(stats, (s) => ({ ...s, calls: s.calls + 1 }))
      case "RetryScheduled": {
        yield* Ref.update(stats, (s) => ({ ...s, retries: s.retries + 1 }))
        if (!live) return
        const f = event.failure
        const why = event.basis === "retryAfter" ? "the service's Retry-After" : "backoff"
        return yield* Console.log(
          `${at(start, event.at)}  ${callName(event.call)} attempt ${event.attempt}  ` +
            `${f.code}${f.httpStatus !== undefined ? ` ${f.httpStatus}` : ""}${f.ambiguous ? " (ambiguous)" : ""}` +
            `  → retry in ${Math.round(event.delayMillis)} ms (${why})`
        )
      }
      case "AttemptDelayed":
        if (!live) return
        return yield* Console.log(
          `${at(start, event.at)}  ${callName(event.call)} attempt ${event.attempt}  ` +
            `waits ${Math.round(event.waitMillis)} ms for the adaptive limiter`
        )
      case "RetriesStopped": {
        yield* Ref.update(stats, (s) => ({
          ...s,
          calls: s.calls + 1,
          stopReasons: { ...s.stopReasons, [event.stopReason]: (s.stopReasons[event.stopReason] ?? 0) + 1 }
        }))
        return yield* Console.log(
          `${at(start, event.at)}  ${callName(event.call)} stopped after ${event.attempts} ` +
            `attempt${event.attempts === 1 ? "" : "s"}: ${event.stopReason} (${event.failure.code})`
        )
      }
      default:
        return
    }
  })

/** A progress line for long phases: calls finished so far, every second. */
const progress = (name: string, finished: Effect.Effect<number>) =>
  Effect.gen(function*() {
    while (true) {
      yield* Effect.sleep("1 second")
      yield* Console.log(`          … ${name}: ${yield* finished} calls finished`)
    }
  })

/** Requests of the lab's log refused for lack of capacity: DynamoDB's read units, Lambda's concurrency (a 429). */
const isCapacityThrottle = (entry: FaultProxy.LogEntry) =>
  entry.source === "capacity" ? entry.capacity === "throttled" : entry.action === "forward" && entry.status === 429

const scenario = <R>(
  name: string,
  schedule: ReadonlyArray<ScheduledFault>,
  options: DemoOptions,
  run: Effect.Effect<{ readonly verified: string; readonly ok: boolean }, unknown, R>
) =>
  Effect.gen(function*() {
    const lab = yield* Lab.Lab
    const live = !options.quiet
    yield* Console.log(`\n── ${name} ${"─".repeat(Math.max(0, 100 - name.length))}`)
    yield* Console.log(
      `   injected (seed ${options.seed}): ${schedule.length} fault${schedule.length === 1 ? "" : "s"}, ` +
        "each on a first attempt, each costing one retry"
    )
    if (live) { for (const fault of schedule) yield* Console.log(`     · ${fault.label}`) }
    const logBefore = (yield* lab.log).length
    const start = yield* Clock.currentTimeMillis
    const stats = yield* Ref.make<Counts>({ calls: 0, retries: 0, stopReasons: {} })
    const ticker = live ? yield* Effect.fork(progress(name, Effect.map(Ref.get(stats), (s) => s.calls))) : undefined
    const outcome = yield* run.pipe(RetryEvent.withObserver(observe(start, stats, live)), Effect.either)
    if (ticker !== undefined) yield* Fiber.interrupt(ticker)
    const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000
    const counted = yield* Ref.get(stats)
    const log = (yield* lab.log).slice(logBefore)
    const unreached = (yield* lab.pending).length
    yield* lab.clear
    const injected = log.filter((e) => e.source === "script").length
    const capacityThrottles = log.filter(isCapacityThrottle).length
    const partialBatches = log.filter((e) => e.capacity === "split").length
    const result = outcome._tag === "Right" ? outcome.right : { verified: `failed: ${String(outcome.left)}`, ok: false }
    const summary: ScenarioSummary = {
      name,
      ...counted,
      injected,
      capacityThrottles,
      partialBatches,
      otherRetries: counted.retries - injected - capacityThrottles,
      seconds,
      ...result,
      ok: result.ok && unreached === 0
    }
    yield* Console.log(
      `   retries: ${summary.retries} = ${injected} injected + ${capacityThrottles} from capacity` +
        (summary.otherRetries !== 0 ? ` + ${summary.otherRetries} after failures this machine caused` : "") +
        (partialBatches > 0 ? `; ${partialBatches} batches partly served, their leftovers resubmitted` : "")
    )
    if (unreached > 0) yield* Console.log(`   ✗ ${unreached} scheduled faults were never reached`)
    yield* Console.log(`   ${result.ok ? "✓" : "✗"} ${result.verified}`)
    return summary
  })

const table = (rows: ReadonlyArray<ScenarioSummary>): ReadonlyArray<string> => {
  const header = ["scenario", "calls", "retries", "injected", "capacity", "stop reasons", "time", "data verified"]
  const cells = rows.map((r) => [
    r.name,
    String(r.calls),
    String(r.retries),
    String(r.injected),
    `${r.capacityThrottles}${r.partialBatches > 0 ? ` (+${r.partialBatches} partial)` : ""}`,
    Object.entries(r.stopReasons).map(([k, v]) => `${k} ${v}`).join(", ") || "—",
    `${r.seconds.toFixed(1)} s`,
    `${r.ok ? "✓" : "✗"} ${r.verified}`
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) => c.map((x, i) => x.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...cells.map(line)]
}

/**
 * @since 0.1.0
 */
export interface DemoOptions {
  readonly seed: number
  /** Real AWS time scale (throttles back off over a 2.5 s window) instead of milliseconds. */
  readonly real: boolean
  /** Print only the summary, not every retry. */
  readonly quiet: boolean
}

/**
 * The demo's policy: `Presets.rebound` at the real time scale, or the same curves in milliseconds.
 *
 * @since 0.1.0
 */
export const demoPolicy = (real: boolean) =>
  real ?
    Presets.rebound :
    RetryPolicy.modify(Presets.rebound, {
      name: "rebound (fast)",
      base: "2 millis",
      cap: "200 millis",
      throttling: { base: "20 millis" },
      retryAfter: { maxExtra: "50 millis", maxDelay: "200 millis" },
      maxAttempts: 6
    })

/**
 * The Lambda scenario's policy: the example's (AWS adaptive mode's curves, a per-function limiter, AWS's retry quota),
 * in milliseconds unless `real`, with attempts enough for the throttles a busy machine adds. On this project's 2-core
 * machine at a load average of 8, a run took 15–20 throttles and the quota never fell below 433 of its 500 tokens.
 *
 * @since 0.1.0
 */
export const lambdaPolicy = (real: boolean) =>
  real ?
    LambdaRateLimiting.policy :
    RetryPolicy.modify(LambdaRateLimiting.policy, {
      name: "adaptive-per-function (fast)",
      base: "2 millis",
      throttling: { base: "20 millis", cap: "500 millis" },
      cap: "500 millis",
      maxAttempts: 30
    })

/** A healthy 5 MiB part took up to 1.8 s on this project's 2-core machine at a load average of 13; 5 s is the margin. */
const partTimeout = "5 seconds"

/**
 * The demo itself: the lab, the three scenarios, the summary. Fails with {@link DemoFailed} if any data is not
 * verified.
 *
 * @since 0.1.0
 */
export const run = (
  options: DemoOptions
): Effect.Effect<ReadonlyArray<ScenarioSummary>, DemoFailed | LabError.LabError | InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    const policy = demoPolicy(options.real)
    const schedule = faultSchedule(options.seed)
    yield* Console.log(
      `rebound demo — seed ${options.seed} (replay with --seed ${options.seed}), ` +
        `${options.real ? "real time scale" : "fast time scale (--real for AWS's own delays)"}, policy ${policy.name}`
    )
    const lab = yield* Lab.Lab
    yield* Console.log(
      `lab: DynamoDB ${lab.endpoints.dynamodb}, S3 ${lab.endpoints.s3}, Lambda ${lab.endpoints.lambda} (127.0.0.1 only)`
    )
    const s3 = yield* scenario(
      "1 · Uploading files to S3 despite network timeouts",
      schedule.s3,
      options,
      Effect.map(
        S3Uploads.program({ files, sizeMiB: 11, attemptTimeout: partTimeout, faults: schedule.s3.map((f) => f.rule) }),
        (r) => ({ verified: `${r.verified}/${r.files} files read back byte for byte (${r.parts} parts)`, ok: r.ok })
      )
    )
    const ddb = yield* scenario(
      "2 · Reading from DynamoDB under throughput limits",
      schedule.dynamodb,
      options,
      Effect.map(
        DynamoDBReads.program({
          items: 600,
          readsPerSecond: options.real ? 300 : 400,
          faults: schedule.dynamodb.map((f) => f.rule)
        }),
        (r) => ({
          verified:
            `${r.read}/${r.items} items by batchGetAll, ${r.queried}/${r.expectedQueried} by the paginated query`,
          ok: r.ok
        })
      )
    )
    const lambda = yield* scenario(
      "3 · Calling Lambda under rate limiting",
      schedule.lambda,
      options,
      Effect.map(
        LambdaRateLimiting.program({
          invocations: 60,
          policy: lambdaPolicy(options.real),
          faults: schedule.lambda.map((f) => f.rule)
        }),
        (r) => ({
          verified: `${r.succeeded}/${r.invocations} invocations ran exactly once (duplicates: ${r.duplicates}); ` +
            `limiter settled at ${r.limiterRate ?? "—"}/s`,
          ok: r.ok
        })
      )
    )
    const rows = [s3, ddb, lambda]
    yield* Console.log("")
    for (const line of table(rows)) yield* Console.log(line)
    const injected = rows.reduce((n, r) => n + r.injected, 0)
    yield* Console.log(
      `\nFixed by seed ${options.seed}: the ${injected} injected faults (which operation, which fault, how many), ` +
        "and the data verified.\nVaries from run to run with this machine's speed: throttles and partial batches " +
        "from capacity (DynamoDB's read units, Lambda's concurrency of 2),\nthe retries, redrive rounds and calls " +
        "they cause, the jitter drawn by concurrent calls, and the times."
    )
    const failed = rows.filter((r) => !r.ok).map((r) => r.name)
    if (failed.length > 0) return yield* Effect.fail(new DemoFailed({ scenarios: failed }))
    yield* Console.log("\nEvery piece of data arrived intact.")
    return rows
  }).pipe(
    Effect.withRandom(Random.make(options.seed)),
    RetryPolicy.withPolicy(demoPolicy(options.real)),
    Effect.provide(Layer.unwrapEffect(Effect.succeed(Lab.layerWithServices({}, { policy: demoPolicy(options.real) }))))
  )

/**
 * The `demo` command.
 *
 * @since 0.1.0
 */
export const command: Command.Command<
  "demo",
  never,
  DemoFailed | LabError.LabError | InvalidOption.InvalidOptionError,
  { readonly seed: number; readonly fast: boolean; readonly real: boolean; readonly quiet: boolean }
> = Command.make(
  "demo",
  {
    seed: Options.integer("seed").pipe(
      Options.withDescription("Seed of the injected faults and of the jitter; printed at the start."),
      Options.withDefault(2026)
    ),
    fast: Options.boolean("fast").pipe(
      Options.withDescription(
        "Millisecond time scale, so the whole demo finishes in well under a minute (the default)."
      )
    ),
    real: Options.boolean("real").pipe(
      Options.withDescription(
        "Production time scale instead: throttles back off from 250 ms ×2, as Presets.rebound does."
      )
    ),
    quiet: Options.boolean("quiet").pipe(Options.withDescription("Print the summary only, not every retry."))
  },
  (
    { fast, quiet, real, seed }
  ): Effect.Effect<void, DemoFailed | LabError.LabError | InvalidOption.InvalidOptionError> =>
    fast && real ?
      Effect.fail(
        new InvalidOption.InvalidOptionError({
          constructorName: "pnpm demo",
          field: "--fast / --real",
          value: "both",
          expected: "one of them (fast is the default)"
        })
      ) :
      Effect.asVoid(run({ seed, real, quiet }))
).pipe(
  Command.withDescription(
    "Runs the boto3 guide's three scenarios against a local AWS lab under injected faults, showing every retry."
  )
)
