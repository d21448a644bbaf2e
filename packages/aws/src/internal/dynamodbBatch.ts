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
import type * as DynamoDB from "../DynamoDB.js"
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

const count = <A>(byTable: Readonly<Record<string, ReadonlyArray<A>>>) =>
  Object.values(byTable).reduce((n, xs) => n + xs.length, 0)

const chunk = <A>(entries: ReadonlyArray<readonly [string, A]>, size: number) => {
  const out: Array<Record<string, Array<A>>> = []
  for (let i = 0; i < entries.length; i += size) {
    const group: Record<string, Array<A>> = {}
    for (const [table, value] of entries.slice(i, i + size)) (group[table] ??= []).push(value)
    out.push(group)
  }
  return out
}

/**
 * Resubmits what DynamoDB handed back with backoff, until nothing is left or the time budget ends. Each submission is
 * itself a retried call. Returns what was done, what is left and what failed, so nothing is dropped.
 */
const redrive = <Pending, Done>(
  label: string,
  settings: { readonly maxElapsedMillis: number; readonly backoff: Backoff.Backoff },
  initial: Pending,
  size: (pending: Pending) => number,
  submit: (pending: Pending) => Effect.Effect<{ readonly done: Done; readonly left: Pending }, CallError.CallError>
) =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const done: Array<Done> = []
    let pending = initial
    let rounds = 0
    let previous: number | undefined
    while (size(pending) > 0) {
      const result = yield* Effect.either(submit(pending))
      if (result._tag === "Left") return { done, left: undefined, failed: { pending, error: result.left }, rounds }
      done.push(result.right.done)
      pending = result.right.left
      if (size(pending) === 0) break
      const delay = Backoff.delay(settings.backoff, rounds, previous, yield* Random.next)
      const elapsed = (yield* Clock.currentTimeMillis) - started
      if (elapsed + delay > settings.maxElapsedMillis) break
      yield* Effect.logDebug(`${label}: ${size(pending)} unprocessed, resubmitting in ${Math.round(delay)}ms`)
      yield* Effect.sleep(Duration.millis(delay))
      previous = delay
      rounds++
    }
    return { done, left: size(pending) > 0 ? pending : undefined, failed: undefined, rounds }
  })

const merge = <A>(target: Record<string, Array<A>>, source: Readonly<Record<string, ReadonlyArray<A>>>) => {
  for (const [table, xs] of Object.entries(source)) (target[table] ??= []).push(...xs)
}

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
): Effect.Effect<DynamoDB.BatchWriteResult, InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    const bad = validateWrites(requestItems)
    if (bad !== undefined) return yield* Effect.fail(bad)
    const s = yield* settings("DynamoDB.batchWriteAll", options)
    const entries = Object.entries(requestItems).flatMap(([t, rs]) => rs.map((r) => [t, r] as const))
    const outcomes = yield* Effect.forEach(
      chunk(entries, 25),
      (group) =>
        redrive(
          "BatchWriteItem",
          s,
          group as Readonly<Record<string, ReadonlyArray<WriteRequest>>>,
          count,
          (pending) =>
            Effect.map(
              send(
                service,
                new BatchWriteItemCommand({ RequestItems: pending as Record<string, Array<WriteRequest>> }),
                options?.send
              ),
              (out) => {
                const left = (out.UnprocessedItems ?? {}) as Record<string, ReadonlyArray<WriteRequest>>
                return { done: count(pending) - count(left), left }
              }
            )
        ),
      { concurrency: s.concurrency }
    )
    const unprocessed: Record<string, Array<WriteRequest>> = {}
    const failed: Array<DynamoDB.BatchFailure<WriteRequest>> = []
    let written = 0
    let rounds = 0
    for (const o of outcomes) {
      written += o.done.reduce((a, b) => a + b, 0)
      rounds = Math.max(rounds, o.rounds)
      if (o.left !== undefined) merge(unprocessed, o.left)
      if (o.failed !== undefined) failed.push({ requests: o.failed.pending, error: o.failed.error })
    }
    return { written, unprocessed, failed, rounds, complete: count(unprocessed) === 0 && failed.length === 0 }
  })

/** @internal */
export const batchGetAll = (
  service: AwsCall.Service,
  requestItems: Readonly<Record<string, KeysAndAttributes>>,
  options?: DynamoDB.BatchOptions
): Effect.Effect<DynamoDB.BatchGetResult, InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    for (const [table, spec] of Object.entries(requestItems)) {
      if (!Array.isArray(spec.Keys)) {
        return yield* Effect.fail(
          invalid("DynamoDB.batchGetAll", `requestItems.${table}.Keys`, String(spec.Keys), "an array of keys")
        )
      }
    }
    const s = yield* settings("DynamoDB.batchGetAll", options)
    const entries = Object.entries(requestItems).flatMap(([t, spec]) => (spec.Keys ?? []).map((k) => [t, k] as const))
    const withAttributes = (keys: Readonly<Record<string, ReadonlyArray<Item>>>): Record<string, KeysAndAttributes> =>
      Object.fromEntries(Object.entries(keys).map(([t, ks]) => [t, { ...requestItems[t], Keys: [...ks] }]))
    const keysOf = (pending: Readonly<Record<string, KeysAndAttributes>>) =>
      Object.fromEntries(Object.entries(pending).map(([t, spec]) => [t, spec.Keys ?? []])) as Record<
        string,
        ReadonlyArray<Item>
      >
    const outcomes = yield* Effect.forEach(
      chunk(entries, 100),
      (group) =>
        redrive(
          "BatchGetItem",
          s,
          withAttributes(group),
          (pending) => count(keysOf(pending)),
          (pending) =>
            Effect.map(
              send(service, new BatchGetItemCommand({ RequestItems: pending }), options?.send),
              (out) => ({
                done: (out.Responses ?? {}) as Record<string, ReadonlyArray<Item>>,
                left: (out.UnprocessedKeys ?? {}) as Record<string, KeysAndAttributes>
              })
            )
        ),
      { concurrency: s.concurrency }
    )
    const items: Record<string, Array<Item>> = {}
    const unprocessed: Record<string, KeysAndAttributes> = {}
    const failed: Array<DynamoDB.BatchFailure<Item>> = []
    let rounds = 0
    for (const o of outcomes) {
      for (const responses of o.done) merge(items, responses)
      rounds = Math.max(rounds, o.rounds)
      if (o.left !== undefined) {
        for (const [t, spec] of Object.entries(o.left)) {
          unprocessed[t] = { ...spec, Keys: [...(unprocessed[t]?.Keys ?? []), ...(spec.Keys ?? [])] }
        }
      }
      if (o.failed !== undefined) failed.push({ requests: keysOf(o.failed.pending), error: o.failed.error })
    }
    return { items, unprocessed, failed, rounds, complete: count(keysOf(unprocessed)) === 0 && failed.length === 0 }
  })
