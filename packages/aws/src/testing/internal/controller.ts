// The fault proxy's brain, shared by its listeners: scripted rules, chaos, capacity buckets, the request log.
import { InvalidOptionError } from "@rebound/core/InvalidOption"
import { LatencyTail } from "@rebound/core/testing"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Capacity from "../Capacity.js"
import * as Fault from "../Fault.js"
import type * as FaultProxy from "../FaultProxy.js"
import * as batch from "./batch.js"
import { type RequestInfo, resourceMatches } from "./request.js"

export interface Decision {
  /** Which `clear` generation the request arrived in; entries of an earlier generation are not logged. */
  readonly generation: number
  readonly attempt: number
  readonly fault: Fault.Fault | undefined
  readonly source: "script" | "chaos" | "tail" | undefined
}

export type Admission =
  | { readonly _tag: "Forward"; readonly body: Buffer | undefined; readonly split: batch.Split | undefined }
  | { readonly _tag: "Refuse"; readonly fault: Fault.Throttle }

export interface Controller extends FaultProxy.Controls {
  readonly decide: (info: RequestInfo) => Effect.Effect<Decision>
  readonly admit: (info: RequestInfo) => Effect.Effect<Admission>
  readonly record: (generation: number, entry: FaultProxy.LogEntry) => Effect.Effect<void>
}

interface ArmedChaos {
  readonly options: Fault.ChaosOptions
  readonly random: Random.Random
  /** Consecutive slices of [0, 1): the fault applies when the draw is below `below`. */
  readonly slices: ReadonlyArray<{ readonly below: number; readonly fault: Fault.Fault }>
}

interface ArmedTail {
  readonly options: Fault.LatencyTailOptions
  readonly random: Random.Random
}

interface TableBuckets {
  readonly read: Capacity.TokenBucket
  readonly write: Capacity.TokenBucket
}

interface PrefixBucket {
  readonly bucket: string
  readonly prefix: string
  readonly tokens: Capacity.TokenBucket
}

const services: ReadonlyArray<Fault.Service> = ["dynamodb", "s3", "lambda"]

const invalid = (constructorName: string, field: string, value: unknown, expected: string) =>
  new InvalidOptionError({ constructorName, field, value: String(value), expected })

const validateRule = (rule: Fault.Rule, index: number): InvalidOptionError | undefined => {
  const at = (field: string) => `rules[${index}].${field}`
  if (rule.times !== undefined && rule.times !== Infinity && !(Number.isInteger(rule.times) && rule.times >= 1)) {
    return invalid("FaultProxy.push", at("times"), rule.times, "an integer ≥ 1 or Infinity")
  }
  if (rule.attempt !== undefined && !(Number.isInteger(rule.attempt) && rule.attempt >= 1)) {
    return invalid("FaultProxy.push", at("attempt"), rule.attempt, "an integer ≥ 1")
  }
  if (rule.service !== undefined && !services.includes(rule.service)) {
    return invalid("FaultProxy.push", at("service"), rule.service, `one of ${services.join(", ")}`)
  }
  if (rule.fault._tag === "Unprocessed" && !(rule.fault.fraction >= 0 && rule.fault.fraction <= 1)) {
    return invalid("FaultProxy.push", at("fault.fraction"), rule.fault.fraction, "a number in [0, 1]")
  }
  if (rule.fault._tag === "Delay" && !Duration.isFinite(rule.fault.duration)) {
    return invalid("FaultProxy.push", at("fault.duration"), Duration.format(rule.fault.duration), "a finite duration")
  }
  return undefined
}

const validateChaos = (options: Fault.ChaosOptions): Either.Either<ArmedChaos["slices"], InvalidOptionError> => {
  if (!Number.isFinite(options.seed)) return Either.left(invalid("FaultProxy.chaos", "seed", options.seed, "a number"))
  const slices: Array<{ below: number; fault: Fault.Fault }> = []
  let total = 0
  for (const kind of Fault.chaosKinds) {
    const p = options.probabilities[kind]
    if (p === undefined || p === 0) continue
    if (!(p > 0 && p <= 1)) return Either.left(invalid("FaultProxy.chaos", `probabilities.${kind}`, p, "within [0, 1]"))
    total += p
    slices.push({ below: total, fault: options.faults?.[kind] ?? Fault.defaultChaosFaults[kind] })
  }
  if (total > 1 + 1e-9) {
    return Either.left(invalid("FaultProxy.chaos", "probabilities", `a sum of ${total}`, "a sum ≤ 1"))
  }
  return Either.right(slices)
}

const matches = (
  info: RequestInfo,
  filter: {
    readonly service?: Fault.Service | undefined
    readonly operation?: string | undefined
    readonly resource?: string | undefined
  }
) =>
  (filter.service === undefined || filter.service === info.service) &&
  (filter.operation === undefined || filter.operation === info.operation) &&
  resourceMatches(info, filter.resource)

export const make: Effect.Effect<Controller> = Effect.gen(function*() {
  const rules = yield* Ref.make<ReadonlyArray<FaultProxy.PendingRule>>([])
  const chaos = yield* Ref.make(Option.none<ArmedChaos>())
  const tail = yield* Ref.make(Option.none<ArmedTail>())
  const seen = yield* Ref.make(HashMap.empty<string, number>())
  const tables = yield* Ref.make(HashMap.empty<string, TableBuckets>())
  const prefixes = yield* Ref.make<ReadonlyArray<PrefixBucket>>([])
  const log = yield* Ref.make(Chunk.empty<FaultProxy.LogEntry>())
  const generation = yield* Ref.make(0)

  const push = (...pushed: ReadonlyArray<Fault.Rule>) =>
    Effect.suspend(() => {
      const error = pushed.map(validateRule).find((e) => e !== undefined)
      if (error) return Effect.fail(error)
      return Ref.update(rules, (xs) => [...xs, ...pushed.map((rule) => ({ rule, remaining: rule.times ?? 1 }))])
    })

  const takeRule = (info: RequestInfo, attempt: number) =>
    Ref.modify(rules, (xs): [Fault.Rule | undefined, ReadonlyArray<FaultProxy.PendingRule>] => {
      const index = xs.findIndex(({ rule }) =>
        matches(info, rule) && (rule.attempt === undefined || rule.attempt === attempt)
      )
      const found = xs[index]
      if (found === undefined) return [undefined, xs]
      const rest = found.remaining - 1
      return [
        found.rule,
        rest > 0 ?
          xs.map((x, i) => i === index ? { ...x, remaining: rest } : x) :
          xs.filter((_, i) => i !== index)
      ]
    })

  const decide = (info: RequestInfo): Effect.Effect<Decision> =>
    Effect.gen(function*() {
      const repeats = yield* Ref.modify(seen, (counts) => {
        const n = Option.getOrElse(HashMap.get(counts, info.fingerprint), () => 0) + 1
        return [n, HashMap.set(counts, info.fingerprint, n)]
      })
      const attempt = Math.max(info.sdkAttempt ?? 0, repeats)
      const current = yield* Ref.get(generation)
      const none = { generation: current, attempt, fault: undefined, source: undefined }
      const scripted = yield* takeRule(info, attempt)
      if (scripted) return { ...none, fault: scripted.fault, source: "script" } as const
      const armed = yield* Ref.get(chaos)
      if (Option.isSome(armed) && matches(info, armed.value.options)) {
        const draw = yield* armed.value.random.next
        const slice = armed.value.slices.find((s) => draw < s.below)
        if (slice) return { ...none, fault: slice.fault, source: "chaos" } as const
      }
      const slow = yield* Ref.get(tail)
      if (Option.isNone(slow) || !matches(info, slow.value.options)) return none
      // Two draws for every request, delayed or not, so the delays depend only on the seed and the request order.
      const chosen = yield* slow.value.random.next
      const draw = yield* slow.value.random.next
      const millis = LatencyTail.sample(slow.value.options.tail, chosen, draw)
      if (millis === undefined) return none
      return { ...none, fault: Fault.delay(millis), source: "tail" } as const
    })

  const admitDynamoDB = (info: RequestInfo, now: number): Effect.Effect<Admission> =>
    Effect.gen(function*() {
      const demand = batch.demandOf(info.operation, info.json)
      const forwardAll: Admission = { _tag: "Forward", body: undefined, split: undefined }
      if (demand === undefined) return forwardAll
      const granted = yield* Ref.modify(tables, (buckets) => {
        const grants = new Map<string, number>()
        let next = buckets
        for (const [table, units] of demand.tables) {
          const entry = HashMap.get(next, table)
          if (Option.isNone(entry)) {
            grants.set(table, (grants.get(table) ?? 0) + units)
            continue
          }
          const [n, after] = Capacity.take(entry.value[demand.kind], units, now)
          grants.set(table, (grants.get(table) ?? 0) + n)
          next = HashMap.set(next, table, { ...entry.value, [demand.kind]: after })
        }
        return [grants, next] as const
      })
      const wanted = demand.tables.reduce((sum, [, units]) => sum + units, 0)
      const total = [...granted.values()].reduce((sum, n) => sum + n, 0)
      if (total === wanted) return forwardAll
      // Nothing fits: DynamoDB throttles the whole request (for a batch: when no item of any table fits).
      if (total === 0) return { _tag: "Refuse", fault: Fault.throttle() }
      const split = batch.splitBatch(info.operation, info.json, granted)
      return { _tag: "Forward", body: Buffer.from(JSON.stringify(split.forward)), split }
    })

  const admitS3 = (info: RequestInfo, now: number): Effect.Effect<Admission> =>
    Ref.modify(prefixes, (buckets): [Admission, ReadonlyArray<PrefixBucket>] => {
      const key = info.key ?? ""
      // The most specific prefix governs, as S3 partitions by the longest prefix.
      const index = buckets.reduce(
        (best, b, i) =>
          b.bucket === info.bucket && key.startsWith(b.prefix) &&
            (best < 0 || b.prefix.length > buckets[best]!.prefix.length) ?
            i :
            best,
        -1
      )
      const found = buckets[index]
      if (found === undefined) return [{ _tag: "Forward", body: undefined, split: undefined }, buckets]
      const [n, after] = Capacity.take(found.tokens, 1, now)
      const next = buckets.map((b, i) => i === index ? { ...b, tokens: after } : b)
      return [
        n === 1 ? { _tag: "Forward", body: undefined, split: undefined } : {
          _tag: "Refuse",
          fault: Fault.throttle()
        },
        next
      ]
    })

  const admit = (info: RequestInfo): Effect.Effect<Admission> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      switch (info.service) {
        case "dynamodb":
          return admitDynamoDB(info, now)
        case "s3":
          return admitS3(info, now)
        case "lambda":
          // Lambda throttles come from the Lambda server's own concurrency and rate limits.
          return Effect.succeed<Admission>({ _tag: "Forward", body: undefined, split: undefined })
      }
    })

  const setTable = (table: string, capacity: Capacity.TableCapacity) =>
    Effect.flatMap(
      Capacity.validateTable(capacity, "FaultProxy.setTable"),
      (valid) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(
            tables,
            HashMap.set(table, {
              read: Capacity.tokenBucket(valid.readPerSecond, valid.burst, now),
              write: Capacity.tokenBucket(valid.writePerSecond, valid.burst, now)
            })
          ))
    )

  const setPrefix = (bucket: string, prefix: string, capacity: Capacity.PrefixCapacity) =>
    Effect.flatMap(
      Capacity.validatePrefix(capacity, "FaultProxy.setPrefix"),
      (valid) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(prefixes, (xs) => [
            ...xs.filter((b) => !(b.bucket === bucket && b.prefix === prefix)),
            { bucket, prefix, tokens: Capacity.tokenBucket(valid.requestsPerSecond, valid.burst, now) }
          ]))
    )

  const armChaos = (options: Fault.ChaosOptions) =>
    Effect.flatMap(
      validateChaos(options),
      (slices) => Ref.set(chaos, Option.some({ options, slices, random: Random.make(options.seed) }))
    )

  const armTail = (options: Fault.LatencyTailOptions) =>
    Effect.suspend(() => {
      if (!Number.isFinite(options.seed)) {
        return Effect.fail(invalid("FaultProxy.latencyTail", "seed", options.seed, "a number"))
      }
      const error = Either.getLeft(
        Either.try({
          try: () => LatencyTail.make(options.tail.share, options.tail.delay),
          catch: (e) => e as InvalidOptionError
        })
      )
      if (Option.isSome(error)) return Effect.fail(error.value)
      if (options.service !== undefined && !services.includes(options.service)) {
        return Effect.fail(
          invalid("FaultProxy.latencyTail", "service", options.service, `one of ${services.join(", ")}`)
        )
      }
      return Ref.set(tail, Option.some({ options, random: Random.make(options.seed) }))
    })

  return {
    push,
    chaos: armChaos,
    latencyTail: armTail,
    setTable,
    setPrefix,
    clear: Effect.all([
      // A request still in flight (a stall, a long delay) finishes in the old generation and stays out of the log.
      Ref.update(generation, (n) => n + 1),
      Ref.set(rules, []),
      Ref.set(chaos, Option.none()),
      Ref.set(tail, Option.none()),
      Ref.set(seen, HashMap.empty()),
      Ref.set(tables, HashMap.empty()),
      Ref.set(prefixes, []),
      Ref.set(log, Chunk.empty())
    ], { discard: true }),
    pending: Ref.get(rules),
    log: Effect.map(Ref.get(log), Chunk.toReadonlyArray),
    decide,
    admit,
    record: (entryGeneration, entry) =>
      Effect.flatMap(
        Ref.get(generation),
        (current) => current === entryGeneration ? Ref.update(log, Chunk.append(entry)) : Effect.void
      )
  }
})
