/**
 * Hedged reads: cutting the tail latency of S3 `GetObject` and DynamoDB `GetItem` when a few requests are merely slow.
 *
 * The lab's fault proxy delays a seeded 2 % of reads by 1–2 seconds (`FaultProxy.latencyTail`). The same reads run
 * twice under rebound's default policy: as it is, and with `Hedging.p95` — after the p95 of the latency recently seen
 * for the same operation and resource, a second copy of a still-pending read goes out (for S3 on a fresh connection);
 * the first answer wins and the other request is aborted. A hedge budget keeps the extra requests to about 5 %.
 *
 * Run it: `pnpm example:hedging` (400 reads per service). The full measurement — 5,000 reads per service — is
 * `pnpm bench:hedging`, which writes `docs/benchmarks/hedging-lab.md`.
 *
 * @since 0.1.0
 */
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as S3 from "@rebound/aws/S3"
import { Lab, type LabError } from "@rebound/aws/testing"
import {
  type CallError,
  Hedging,
  type InvalidOption,
  LatencyTracker,
  Presets,
  RetryEvent,
  RetryPolicy,
  StateStore
} from "@rebound/core"
import { LatencyTail } from "@rebound/core/testing"
import { Clock, Effect, Fiber, Layer } from "effect"
import { runMain } from "./internal/run.js"

/**
 * @since 0.1.0
 */
export type Target = "s3" | "dynamodb"

/**
 * @since 0.1.0
 */
export interface Options {
  /** Reads per service and mode. Default 400. */
  readonly calls?: number | undefined
  /**
   * Reads started per second, at a steady pace whatever the earlier reads are doing (an open loop, so a slow read
   * never holds back the next ones and hides its own cost). Default 40.
   */
  readonly rate?: number | undefined
  /** The latency tail the proxy injects. Default: 2 % of reads delayed U(1 s, 2 s). */
  readonly tail?: LatencyTail.LatencyTail | undefined
  /** The proxy's seed for the tail. Default 18. */
  readonly seed?: number | undefined
  /** The hedging piece. Default `Hedging.p95`. */
  readonly hedging?: Hedging.Hedging | undefined
  /** Which services. Default both. */
  readonly targets?: ReadonlyArray<Target> | undefined
}

/**
 * One run: latency percentiles (milliseconds, whole calls) and what was sent.
 *
 * @since 0.1.0
 */
export interface Run {
  readonly target: Target
  readonly hedged: boolean
  readonly calls: number
  readonly failed: number
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly max: number
  /** Requests the client sent: attempts plus hedges. */
  readonly requests: number
  /** Requests beyond one per call, as a share of calls. */
  readonly extraShare: number
  readonly hedges: {
    readonly started: number
    readonly won: number
    readonly cancelled: number
    /** Hedges due but refused, by reason (the budget, a pause after throttling, …). */
    readonly skipped: Readonly<Record<string, number>>
  }
  /** Requests the proxy delayed, and how many of those it found abandoned by their client (aborted losers). */
  readonly delayed: number
  readonly abandoned: number
  readonly seconds: number
}

/**
 * @since 0.1.0
 */
export interface Result {
  readonly tail: string
  readonly runs: ReadonlyArray<Run>
  readonly ok: boolean
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN

const defaultTail = LatencyTail.make(0.02, LatencyTail.uniform("1 second", "2 seconds"))

const bucket = "hedged-reads"
const table = "hedged-reads"

interface Settings {
  readonly calls: number
  readonly rate: number
  readonly tail: LatencyTail.LatencyTail
  readonly seed: number
}

const operationOf = (target: Target) => (target === "s3" ? "GetObject" : "GetItem")

/** One service's reads under one policy, on fresh clients, guard state and latency series. */
const measure = (
  lab: Lab.Lab,
  target: Target,
  policy: RetryPolicy.RetryPolicy,
  options: Settings
): Effect.Effect<Run, LabError.LabError | InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    yield* lab.clear
    yield* lab.latencyTail({ seed: options.seed, service: target, operation: operationOf(target), tail: options.tail })
    const counts = { attempts: 0, started: 0, won: 0, cancelled: 0 }
    const skipped: Record<string, number> = {}
    const observer: RetryEvent.RetryObserver = (e) =>
      Effect.sync(() => {
        if (e._tag === "AttemptStarted") counts.attempts++
        else if (e._tag === "HedgeStarted") counts.started++
        else if (e._tag === "HedgeWon") counts.won++
        else if (e._tag === "HedgeCancelled") counts.cancelled++
        else if (e._tag === "HedgeSkipped") skipped[e.reason] = (skipped[e.reason] ?? 0) + 1
      })
    const read: Effect.Effect<unknown, CallError.CallError, DynamoDB.DynamoDB | S3.S3> = target === "s3" ?
      Effect.flatMap(S3.S3, (s3) =>
        Effect.flatMap(
          s3.send(new GetObjectCommand({ Bucket: bucket, Key: "small-object" })),
          (object) => Effect.promise(() => object.Body!.transformToByteArray())
        )) :
      Effect.flatMap(
        DynamoDB.DynamoDB,
        (ddb) => ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "item" } } }))
      )
    const latencies: Array<number> = []
    let failed = 0
    const timed = Effect.gen(function*() {
      const start = yield* Clock.currentTimeNanos
      const exit = yield* Effect.exit(read)
      latencies.push(Number((yield* Clock.currentTimeNanos) - start) / 1e6)
      if (exit._tag === "Failure") failed++
    })
    const began = yield* Clock.currentTimeMillis
    const gapMillis = 1000 / options.rate
    yield* Effect.gen(function*() {
      const fibers: Array<Fiber.RuntimeFiber<void>> = []
      for (let i = 0; i < options.calls; i++) {
        // Each read starts at its own instant on the schedule, not after the previous one.
        const wait = began + i * gapMillis - (yield* Clock.currentTimeMillis)
        if (wait > 0) yield* Effect.sleep(wait)
        fibers.push(yield* Effect.fork(timed))
      }
      yield* Fiber.joinAll(fibers)
    }).pipe(
      RetryEvent.withObserver(observer),
      Effect.provide(
        Layer.mergeAll(Lab.services(lab, { policy }), StateStore.layerMemory, LatencyTracker.layerMemory())
      )
    )
    const seconds = ((yield* Clock.currentTimeMillis) - began) / 1000
    // Every delayed request meets the end of its delay at the proxy (and is logged) within the tail's longest delay.
    const longest = options.tail.delay._tag === "Uniform" ? options.tail.delay.maxMillis : 0
    yield* Effect.sleep(longest + 200)
    const log = (yield* lab.log).filter((e) => e.operation === operationOf(target))
    const delayed = log.filter((e) => e.source === "tail")
    const sorted = latencies.slice().sort((a, b) => a - b)
    const requests = counts.attempts + counts.started
    const round = (ms: number) => Math.round(ms * 10) / 10
    return {
      target,
      hedged: policy.hedging !== undefined,
      calls: options.calls,
      failed,
      p50: round(percentile(sorted, 0.5)),
      p99: round(percentile(sorted, 0.99)),
      p999: round(percentile(sorted, 0.999)),
      max: round(sorted.at(-1) ?? NaN),
      requests,
      extraShare: (requests - options.calls) / options.calls,
      hedges: { started: counts.started, won: counts.won, cancelled: counts.cancelled, skipped },
      delayed: delayed.length,
      abandoned: delayed.filter((e) => e.status === undefined).length,
      seconds
    } satisfies Run
  })

/**
 * The reads of every target, unhedged then hedged, with the same tail and seed.
 *
 * @since 0.1.0
 */
export const program = (
  options: Options = {}
): Effect.Effect<Result, CallError.CallError | InvalidOption.InvalidOptionError | LabError.LabError, Lab.Lab> =>
  Effect.gen(function*() {
    const lab = yield* Lab.Lab
    const settings: Settings = {
      calls: options.calls ?? 400,
      rate: options.rate ?? 40,
      tail: options.tail ?? defaultTail,
      seed: options.seed ?? 18
    }
    yield* lab.createTable(table)
    yield* lab.createBucket(bucket)
    // The data, written directly through rebound's services before any fault is set.
    yield* Effect.gen(function*() {
      const s3 = yield* S3.S3
      const ddb = yield* DynamoDB.DynamoDB
      yield* s3.send(new PutObjectCommand({ Bucket: bucket, Key: "small-object", Body: "x".repeat(1024) }))
      yield* ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "item" }, v: { S: "x".repeat(256) } } }))
    }).pipe(Effect.provide(Lab.services(lab)))
    const base = RetryPolicy.modify(Presets.rebound, { name: "reads" })
    const hedged = base.pipe(RetryPolicy.withHedging(options.hedging ?? Hedging.p95))
    const runs: Array<Run> = []
    for (const target of options.targets ?? (["s3", "dynamodb"] as const)) {
      runs.push(yield* measure(lab, target, base, settings))
      runs.push(yield* measure(lab, target, hedged, settings))
    }
    return {
      tail: LatencyTail.describe(settings.tail),
      runs,
      ok: runs.every((r) => r.failed === 0) && runs.filter((r) => r.hedged).every((r) => r.hedges.won > 0)
    }
  })

runMain(import.meta, program())
