/**
 * Scenario 2 of the boto3 guide — reading from DynamoDB under throughput limits.
 *
 * A table with little read capacity throttles a burst of reads. `batchGetAll` chunks the keys, resubmits what
 * DynamoDB hands back unprocessed with backoff, and accounts for every key; a paginated query streams every page, each
 * page its own retried call. Throttles are absorbed; every item is read. (`lib-dynamodb`'s batch helper resends
 * unprocessed keys at once, without backoff; no SDK retries them at all.)
 *
 * Run it: `pnpm example:dynamodb`
 *
 * @since 0.1.0
 */
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { type Fault, Lab, type LabError } from "@rebound/aws/testing"
import type { CallError, InvalidOption } from "@rebound/core"
import { Chunk, Effect, Stream } from "effect"
import { runMain } from "./internal/run.js"

/**
 * @since 0.1.0
 */
export interface Options {
  readonly items?: number | undefined
  /** The table's read capacity, units per second. */
  readonly readsPerSecond?: number | undefined
  /** Faults to inject into the reads (pushed once the catalogue is written). */
  readonly faults?: ReadonlyArray<Fault.Rule> | undefined
}

/**
 * @since 0.1.0
 */
export interface Result {
  readonly items: number
  /** Distinct items `batchGetAll` returned. */
  readonly read: number
  /** Items the paginated query returned, and the pages it took. */
  readonly queried: number
  readonly expectedQueried: number
  readonly pages: number
  /** Requests the table's capacity throttled or split. */
  readonly throttled: number
  readonly ok: boolean
}

const categories = 4

/**
 * Writes a catalogue, limits the table's reads, then reads everything back two ways.
 *
 * @since 0.1.0
 */
export const program = (
  options: Options = {}
): Effect.Effect<
  Result,
  CallError.CallError | InvalidOption.InvalidOptionError | LabError.LabError,
  Lab.Lab | DynamoDB.DynamoDB
> =>
  Effect.gen(function*() {
    const lab = yield* Lab.Lab
    const ddb = yield* DynamoDB.DynamoDB
    const items = options.items ?? 400
    yield* lab.createTable("catalog", { hashKey: "pk", rangeKey: "sk" })
    const key = (i: number) => ({
      pk: { S: `category-${i % categories}` },
      sk: { S: `item-${String(i).padStart(5, "0")}` }
    })
    const written = yield* ddb.batchWriteAll({
      catalog: Array.from(
        { length: items },
        (_, i) => ({ PutRequest: { Item: { ...key(i), price: { N: String(i) } } } })
      )
    })
    if (!written.complete) return yield* Effect.dieMessage("setup: the catalogue was not fully written")

    yield* lab.setTable("catalog", { readPerSecond: options.readsPerSecond ?? 200, writePerSecond: 10_000 })
    if (options.faults !== undefined && options.faults.length > 0) yield* lab.push(...options.faults)
    const before = (yield* lab.log).length
    const read = yield* ddb.batchGetAll({ catalog: { Keys: Array.from({ length: items }, (_, i) => key(i)) } })
    let pages = 0
    const queried = yield* ddb.query({
      TableName: "catalog",
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: "category-1" } },
      Limit: 25
    }).pipe(
      Stream.mapChunks((chunk) => {
        pages++
        return chunk
      }),
      Stream.runCollect,
      Effect.map(Chunk.size)
    )
    const log = (yield* lab.log).slice(before)
    const distinct = new Set((read.items.catalog ?? []).map((i) => `${i.pk?.S}/${i.sk?.S}`)).size
    const expectedQueried = Math.ceil((items - 1) / categories)
    return {
      items,
      read: distinct,
      queried,
      expectedQueried,
      pages,
      throttled: log.filter((e) => e.capacity !== undefined).length,
      ok: read.complete && distinct === items && queried === expectedQueried
    } satisfies Result
  })

runMain(import.meta, program())
