import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type KeysAndAttributes,
  type WriteRequest
} from "@aws-sdk/client-dynamodb"
import { Backoff, type CallError, InvalidOption } from "@rebound/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as AwsCall from "../AwsCall.js"
import * as DynamoDB from "../DynamoDB.js"
import { send } from "./send.js"

type Item = Record<string, AttributeValue>

const invalid = (constructorName: string, field: string, value: string, expected: string) =>
  new InvalidOption.InvalidOptionError({ constructorName, field, value, expected })

const settings = (where: string, options: DynamoDB.BatchOptions | undefined) =>
  Effect.try({
    try: () => ({
      concurrency: options?.concurrency ?? 4,
      maxElapsedMillis: Duration.toMillis(options?.maxElapsed ?? "1 minute"),
      backoff: options?.backoff ?? Backoff.make({ base: 50, cap: 5_000, jitter: "full" })
    }),
    catch: () => invalid(where, "options.maxElapsed", String(options?.maxElapsed), "a duration")
  }).pipe(Effect.filterOrFail(
    (s) => Number.isInteger(s.concurrency) && s.concurrency >= 1,
    (s) => invalid(where, "options.concurrency", String(s.concurrency), "an integer ≥ 1")
  ))

/** One request of a batch: the table it goes to and the write request or key. */
type Entry<A> = readonly [table: string, value: A]

const byTable = <A>(entries: ReadonlyArray<Entry<A>>): Record<string, Array<A>> => {
  const out: Record<string, Array<A>> = {}
  for (const [table, value] of entries) (out[table] ??= []).push(value)
  return out
}

const entriesOf = <A>(byTableValues: Readonly<Record<string, ReadonlyArray<A>>>): Array<Entry<A>> =>
  Object.entries(byTableValues).flatMap(([table, values]) => values.map((value) => [table, value] as const))

const chunk = <A>(xs: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

interface Drained<A, Done> {
  readonly done: ReadonlyArray<Done>
  /** Requests DynamoDB still handed back when the time budget ended, in the order they were pooled. */
  readonly left: ReadonlyArray<Entry<A>>
  readonly failed: ReadonlyArray<{ readonly entries: ReadonlyArray<Entry<A>>; readonly error: CallError.CallError }>
  readonly rounds: number
  readonly calls: number
}

/**
 * Sends every entry in full batches, then pools what DynamoDB handed back from all of them and sends it again, in
 * full batches, after a backoff — until nothing is left or the time budget ends. Each submission is itself a retried
 * call; a submission that fails for good takes its entries with it into `failed`. Every entry ends in exactly one of
 * `done`, `left` or `failed`, and is in at most one request in flight at a time.
 */
const drain = <A, Done>(
  label: string,
  settings: {
    readonly concurrency: number
    readonly maxElapsedMillis: number
    readonly backoff: Backoff.Backoff
  },
  entries: ReadonlyArray<Entry<A>>,
  batchSize: number,
  submit: (
    batch: ReadonlyArray<Entry<A>>
  ) => Effect.Effect<{ readonly done: Done; readonly left: ReadonlyArray<Entry<A>> }, CallError.CallError>
): Effect.Effect<Drained<A, Done>> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const done: Array<Done> = []
    const failed: Array<Drained<A, Done>["failed"][number]> = []
    let pending = entries
    let rounds = 0
    let calls = 0
    let previous: number | undefined
    while (pending.length > 0) {
      const batches = chunk(pending, batchSize)
      const outcomes = yield* Effect.forEach(batches, (batch) => Effect.either(submit(batch)), {
        concurrency: settings.concurrency
      })
      calls += batches.length
      const left: Array<Entry<A>> = []
      outcomes.forEach((outcome, i) => {
        if (outcome._tag === "Left") failed.push({ entries: batches[i]!, error: outcome.left })
        else {
          done.push(outcome.right.done)
          left.push(...outcome.right.left)
        }
      })
      pending = left
      if (pending.length === 0) break
      const delay = Backoff.delay(settings.backoff, rounds, previous, yield* Random.next)
      const elapsed = (yield* Clock.currentTimeMillis) - started
      if (elapsed + delay > settings.maxElapsedMillis) break
      yield* Effect.logDebug(`${label}: ${pending.length} unprocessed, resubmitting in ${Math.round(delay)}ms`)
      yield* Effect.sleep(Duration.millis(delay))
      previous = delay
      rounds++
    }
    return { done, left: pending, failed, rounds, calls }
  })

const validateWrites = (requestItems: Readonly<Record<string, ReadonlyArray<WriteRequest>>>) => {
  const where = "DynamoDB.batchWriteAll"
  for (const [table, requests] of Object.entries(requestItems)) {
    if (table.length < 3) {
      return invalid(where, "requestItems", JSON.stringify(table), "table names of 3 or more characters")
    }
    for (const [i, r] of requests.entries()) {
      const put = r.PutRequest?.Item !== undefined
      const del = r.DeleteRequest?.Key !== undefined
      if (put === del) {
        return invalid(
          where,
          `requestItems.${table}[${i}]`,
          Object.keys(r).join(",") || "{}",
          "exactly one of PutRequest.Item or DeleteRequest.Key"
        )
      }
    }
  }
  return undefined
}

/** @internal */
export const batchWriteAll = (
  service: AwsCall.Service,
  requestItems: Readonly<Record<string, ReadonlyArray<WriteRequest>>>,
  options?: DynamoDB.BatchOptions
): Effect.Effect<DynamoDB.BatchWriteResult, DynamoDB.BatchWriteError | InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    const bad = validateWrites(requestItems)
    if (bad !== undefined) return yield* Effect.fail(bad)
    const s = yield* settings("DynamoDB.batchWriteAll", options)
    const drained = yield* drain("BatchWriteItem", s, entriesOf(requestItems), 25, (batch) =>
      Effect.map(
        send(service, new BatchWriteItemCommand({ RequestItems: byTable(batch) }), options?.send),
        (out) => {
          const left = entriesOf((out.UnprocessedItems ?? {}) as Record<string, ReadonlyArray<WriteRequest>>)
          return { done: batch.length - left.length, left }
        }
      ))
    const written = drained.done.reduce((a, b) => a + b, 0)
    if (drained.left.length === 0 && drained.failed.length === 0) {
      return { written, rounds: drained.rounds, calls: drained.calls }
    }
    return yield* Effect.fail(
      new DynamoDB.BatchWriteError({
        written,
        unprocessed: byTable(drained.left),
        failed: drained.failed.map((f) => ({ requests: byTable(f.entries), error: f.error })),
        rounds: drained.rounds,
        calls: drained.calls
      })
    )
  })

/** @internal */
export const batchGetAll = (
  service: AwsCall.Service,
  requestItems: Readonly<Record<string, KeysAndAttributes>>,
  options?: DynamoDB.BatchOptions
): Effect.Effect<DynamoDB.BatchGetResult, DynamoDB.BatchGetError | InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    for (const [table, spec] of Object.entries(requestItems)) {
      if (!Array.isArray(spec.Keys)) {
        return yield* Effect.fail(
          invalid("DynamoDB.batchGetAll", `requestItems.${table}.Keys`, String(spec.Keys), "an array of keys")
        )
      }
    }
    const s = yield* settings("DynamoDB.batchGetAll", options)
    // Each table's projection and consistency settings go with its keys in every batch.
    const withAttributes = (keys: Readonly<Record<string, ReadonlyArray<Item>>>): Record<string, KeysAndAttributes> =>
      Object.fromEntries(Object.entries(keys).map(([t, ks]) => [t, { ...requestItems[t], Keys: [...ks] }]))
    const keysOf = (specs: Readonly<Record<string, KeysAndAttributes>>) =>
      Object.fromEntries(Object.entries(specs).map(([t, spec]) => [t, spec.Keys ?? []])) as Record<
        string,
        ReadonlyArray<Item>
      >
    const entries = entriesOf(keysOf(requestItems))
    const drained = yield* drain("BatchGetItem", s, entries, 100, (batch) =>
      Effect.map(
        send(service, new BatchGetItemCommand({ RequestItems: withAttributes(byTable(batch)) }), options?.send),
        (out) => ({
          done: (out.Responses ?? {}) as Record<string, ReadonlyArray<Item>>,
          left: entriesOf(keysOf((out.UnprocessedKeys ?? {}) as Record<string, KeysAndAttributes>))
        })
      ))
    const items: Record<string, Array<Item>> = {}
    for (const responses of drained.done) {
      for (const [table, found] of Object.entries(responses)) (items[table] ??= []).push(...found)
    }
    if (drained.left.length === 0 && drained.failed.length === 0) {
      return { items, rounds: drained.rounds, calls: drained.calls }
    }
    return yield* Effect.fail(
      new DynamoDB.BatchGetError({
        items,
        unprocessed: withAttributes(byTable(drained.left)),
        failed: drained.failed.map((f) => ({ requests: byTable(f.entries), error: f.error })),
        rounds: drained.rounds,
        calls: drained.calls
      })
    )
  })
