/**
 * Scenario 2 of the boto3 guide — reading from DynamoDB under throughput limits.
 *
 * A table with little read capacity throttles a burst of reads. `batchGetAll` sends the keys in full batches, pools
 * what DynamoDB hands back unprocessed and resubmits it in full batches with backoff, and fails with a
 * `BatchGetError` holding every key it could not read; a paginated query streams every page, each page its own
 * retried call. Throttles are absorbed; every item is read. (`lib-dynamodb`'s batch helper resends
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
  /** Keys `batchGetAll` could not read (unprocessed when its time budget ended, or in a call that failed). */
  readonly unread: number
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
    yield* ddb.batchWriteAll({
      catalog: Array.from(
        { length: items },
        (_, i) => ({ PutRequest: { Item: { ...key(i), price: { N: String(i) } } } })
      )
    }).pipe(Effect.catchTag("BatchWriteError", (e) => Effect.dieMessage(`setup: ${e.message}`)))

    yield* lab.setTable("catalog", { readPerSecond: options.readsPerSecond ?? 200, writePerSecond: 10_000 })
    if (options.faults !== undefined && options.faults.length > 0) yield* lab.push(...options.faults)
    const before = (yield* lab.log).length
    // An incomplete read is a failure with the keys left; here it is counted, and the scenario is not ok.
    const read = yield* ddb.batchGetAll({ catalog: { Keys: Array.from({ length: items }, (_, i) => key(i)) } }).pipe(
      Effect.map((r) => ({ items: r.items, unread: 0 })),
      Effect.catchTag("BatchGetError", (e) =>
        Effect.succeed({
          items: e.items,
          unread: (e.unprocessed.catalog?.Keys?.length ?? 0) +
            e.failed.reduce((n, f) => n + (f.requests.catalog?.length ?? 0), 0)
        }))
    )
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
      unread: read.unread,
      ok: read.unread === 0 && distinct === items && queried === expectedQueried
    } satisfies Result
  })

runMain(import.meta, program())
