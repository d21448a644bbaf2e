/**
 * `pnpm demo`: rebound's main job. Starts the local AWS lab, runs the boto3 guide's three scenarios under injected
 * throttling and transient faults, shows every retry as it happens — service, operation, attempt, failure, the delay
 * chosen and why — and ends with a summary per scenario and the data verified in the store. It exits 0 only when
 * every piece of data arrived intact.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Lab, type LabError } from "@rebound/aws/testing"
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
  readonly calls: number
  readonly retries: number
  readonly throttles: number
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

/** Counts what happened in one scenario, and prints the timeline. */
const observe = (
  start: number,
  stats: Ref.Ref<Omit<ScenarioSummary, "name" | "seconds" | "verified" | "ok">>,
  live: boolean
): RetryEvent.RetryObserver =>
(event) =>
  Effect.gen(function*() {
    const at = `${((event.at - start) / 1000).toFixed(3).padStart(8)}s`
    switch (event._tag) {
      case "Succeeded":
        return yield* Ref.update(stats, (s) => ({ ...s, calls: s.calls + 1 }))
      case "AttemptFailed":
        if (event.failure.failureClass === "throttling") {
          yield* Ref.update(stats, (s) => ({ ...s, throttles: s.throttles + 1 }))
        }
        return
      case "RetryScheduled": {
        yield* Ref.update(stats, (s) => ({ ...s, retries: s.retries + 1 }))
        if (!live) return
        const f = event.failure
        const why = event.basis === "retryAfter" ? "the service's Retry-After" : "backoff"
        return yield* Console.log(
          `${at}  ${`${event.call.service}.${event.call.operation}`.padEnd(28)} attempt ${event.attempt}  ` +
            `${f.code}${f.httpStatus !== undefined ? ` ${f.httpStatus}` : ""}${f.ambiguous ? " (ambiguous)" : ""}` +
            `  → retry in ${Math.round(event.delayMillis)} ms (${why})`
        )
      }
      case "AttemptDelayed":
        if (!live) return
        return yield* Console.log(
          `${at}  ${`${event.call.service}.${event.call.operation}`.padEnd(28)} attempt ${event.attempt}  ` +
            `waits ${Math.round(event.waitMillis)} ms for the adaptive limiter`
        )
      case "RetriesStopped": {
        yield* Ref.update(stats, (s) => ({
          ...s,
          calls: s.calls + 1,
          stopReasons: { ...s.stopReasons, [event.stopReason]: (s.stopReasons[event.stopReason] ?? 0) + 1 }
        }))
        if (!live) return
        return yield* Console.log(
          `${at}  ${`${event.call.service}.${event.call.operation}`.padEnd(28)} stopped after ${event.attempts} ` +
            `attempt${event.attempts === 1 ? "" : "s"}: ${event.stopReason} (${event.failure.code})`
        )
      }
      default:
        return
    }
  })

/** A progress line for long phases: calls finished so far, every second. */
const progress = (name: string, finished: Effect.Effect<number>, expected: number) =>
  Effect.gen(function*() {
    while (true) {
      yield* Effect.sleep("1 second")
      const calls = yield* finished
      yield* Console.log(
        `          … ${name}: ${calls} calls finished${expected > 0 ? ` (about ${expected} expected)` : ""}`
      )
    }
  })

const scenario = <R>(
  name: string,
  expectedCalls: number,
  live: boolean,
  run: Effect.Effect<{ readonly verified: string; readonly ok: boolean }, unknown, R>
) =>
  Effect.gen(function*() {
    yield* Console.log(`\n── ${name} ${"─".repeat(Math.max(0, 100 - name.length))}`)
    const start = yield* Clock.currentTimeMillis
    const stats = yield* Ref.make({ calls: 0, retries: 0, throttles: 0, stopReasons: {} as Record<string, number> })
    const ticker = yield* Effect.fork(progress(name, Effect.map(Ref.get(stats), (s) => s.calls), expectedCalls))
    const outcome = yield* run.pipe(RetryEvent.withObserver(observe(start, stats, live)), Effect.either)
    yield* Fiber.interrupt(ticker)
    const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000
    const counted = yield* Ref.get(stats)
    const result = outcome._tag === "Right" ? outcome.right : { verified: `failed: ${String(outcome.left)}`, ok: false }
    yield* Console.log(`   ${result.ok ? "✓" : "✗"} ${result.verified}`)
    return { name, ...counted, seconds, ...result } satisfies ScenarioSummary
  })

const table = (rows: ReadonlyArray<ScenarioSummary>): ReadonlyArray<string> => {
  const header = ["scenario", "calls", "retries", "throttles", "stop reasons", "time", "data verified"]
  const cells = rows.map((r) => [
    r.name,
    String(r.calls),
    String(r.retries),
    String(r.throttles),
    Object.entries(r.stopReasons).map(([k, v]) => `${k} ${v}`).join(", ") || "—",
    `${r.seconds.toFixed(1)} s`,
    `${r.ok ? "✓" : "✗"} ${r.verified}`
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: ReadonlyArray<string>) => c.map((x, i) => x.padEnd(widths[i]!)).join("  ")
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

/** The demo's policy: `Presets.rebound` at the real time scale, or the same curves in milliseconds. */
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
 * The demo itself: the lab, the three scenarios, the summary. Fails with {@link DemoFailed} if any data is not
 * verified.
 *
 * @since 0.1.0
 */
export const run = (
  options: DemoOptions
): Effect.Effect<ReadonlyArray<ScenarioSummary>, DemoFailed | LabError.LabError> =>
  Effect.gen(function*() {
    const policy = demoPolicy(options.real)
    yield* Console.log(
      `rebound demo — seed ${options.seed} (replay with --seed ${options.seed}), ` +
        `${options.real ? "real time scale" : "fast time scale (--real for AWS's own delays)"}, policy ${policy.name}`
    )
    const lab = yield* Lab.Lab
    yield* Console.log(
      `lab: DynamoDB ${lab.endpoints.dynamodb}, S3 ${lab.endpoints.s3}, Lambda ${lab.endpoints.lambda} (127.0.0.1 only)`
    )
    const live = !options.quiet
    const s3 = yield* scenario(
      "1 · Uploading files to S3 despite network timeouts",
      9,
      live,
      Effect.map(
        S3Uploads.program({ files: 3, sizeMiB: 11, attemptTimeout: options.real ? "5 seconds" : "500 millis" }),
        (r) => ({ verified: `${r.verified}/${r.files} files read back byte for byte (${r.parts} parts)`, ok: r.ok })
      )
    )
    yield* Effect.orDie(lab.chaos({
      seed: options.seed,
      service: "dynamodb",
      probabilities: { throttle: 0.08, serverError: 0.05 }
    }))
    const ddb = yield* scenario(
      "2 · Reading from DynamoDB under throughput limits",
      40,
      live,
      Effect.map(
        DynamoDBReads.program({ items: 600, readsPerSecond: options.real ? 300 : 400 }),
        (r) => ({
          verified:
            `${r.read}/${r.items} items by batchGetAll, ${r.queried}/${r.expectedQueried} by the paginated query`,
          ok: r.ok
        })
      )
    )
    yield* lab.clear
    const lambda = yield* scenario(
      "3 · Calling Lambda under rate limiting",
      60,
      live,
      Effect.map(
        LambdaRateLimiting.program({
          invocations: 60,
          policy: RetryPolicy.modify(
            LambdaRateLimiting.policy,
            options.real ? {} : {
              base: "2 millis",
              throttling: { base: "20 millis", cap: "500 millis" },
              cap: "500 millis",
              maxAttempts: 30
            }
          )
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
      Options.withDescription("Seed of every random choice (faults and jitter); printed at the start."),
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
