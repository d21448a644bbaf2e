import {
  type AttributeValue,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type WriteRequest
} from "@aws-sdk/client-dynamodb"
import { describe, expect, it, layer } from "@effect/vitest"
import { AwsError } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { Fault, Lab } from "@rebound/aws/testing"
import { RetryEvent } from "@rebound/core"
import { Chunk, Effect, Ref, Stream } from "effect"
import { inspect } from "node:util"
import { keysInTable, labWithServices } from "./helpers.js"

const item = (i: number): Record<string, AttributeValue> => ({ pk: { S: `item-${i}` }, n: { N: String(i) } })

/** A fresh lab whose every BatchWriteItem hands `fraction` of each table's items back unprocessed. */
const handBack = (fraction: number) =>
  Effect.flatMap(Lab.Lab, (lab) =>
    Effect.zipRight(
      lab.clear,
      lab.push({
        service: "dynamodb",
        operation: "BatchWriteItem",
        fault: Fault.unprocessed(fraction),
        times: Infinity
      })
    ))

layer(labWithServices({ tables: ["orders", "items", "reads"] }), { excludeTestServices: true })(
  "DynamoDB service",
  (it) => {
    it.effect("retries a throttled GetItem and reports exact attempts through events", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        yield* ddb.send(new PutItemCommand({ TableName: "orders", Item: item(1) }))
        yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 2 })
        const events = yield* Ref.make<Array<string>>([])
        const out = yield* ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "item-1" } } })).pipe(
          RetryEvent.withObserver((e) => Ref.update(events, (xs) => [...xs, e._tag]))
        )
        expect(out.Item?.n?.N).toBe("1")
        expect((yield* Ref.get(events)).filter((t) => t === "AttemptStarted")).toHaveLength(3)
        const log = (yield* lab.log).filter((e) => e.operation === "GetItem")
        expect(log.map((e) => e.action)).toEqual(["Throttle", "Throttle", "forward"])
      }))

    it.effect("stops with the typed failure and says why", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 10 })
        const error = yield* Effect.flip(ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "x" } } })))
        expect(error).toMatchObject({
          _tag: "ThrottlingError",
          code: "ProvisionedThroughputExceededException",
          httpStatus: 400
        })
        expect(error.retries).toMatchObject({ attempts: 4, stopReason: "maxAttempts", policy: "fast" })
        expect(error.resource).toBe("orders")
        // The SDK's own error stays reachable in code through the retry summary's copy, never in a rendering.
        expect(AwsError.sdkErrorOf(error)).toBeInstanceOf(ProvisionedThroughputExceededException)
      }))

    it.effect("a fatal failure is not retried", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        const error = yield* Effect.flip(
          ddb.send(new GetItemCommand({ TableName: "no-such-table", Key: { pk: { S: "x" } } }))
        )
        expect(error).toMatchObject({ _tag: "FatalError", reason: "notFound", code: "ResourceNotFoundException" })
        expect(error.retries?.attempts).toBe(1)
        expect((yield* lab.log).filter((e) => e.operation === "GetItem")).toHaveLength(1)
      }))

    it.effect("batchWriteAll of 1,000 items, 30% handed back unprocessed and throttles mixed in, lands every item exactly once", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        yield* lab.push(
          { service: "dynamodb", operation: "BatchWriteItem", fault: Fault.throttle(), times: 6 },
          { service: "dynamodb", operation: "BatchWriteItem", fault: Fault.unprocessed(0.3), times: Infinity }
        )
        const requests: Array<WriteRequest> = Array.from(
          { length: 1000 },
          (_, i) => ({ PutRequest: { Item: item(i) } })
        )
        const result = yield* ddb.batchWriteAll({ items: requests }, { backoff: undefined, maxElapsed: "30 seconds" })
        expect(result.written).toBe(1000)
        const keys = yield* keysInTable(lab, "items")
        expect(keys).toHaveLength(1000)
        expect(new Set(keys).size).toBe(1000)
        const log = yield* lab.log
        expect(log.filter((e) => e.action === "Throttle")).toHaveLength(6)
        expect(log.reduce((n, e) => n + e.unprocessed, 0)).toBeGreaterThan(300)
      }))

    it.effect("leftovers are pooled across batches into full batches: 59 requests where batch-by-batch redrive made 120", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* handBack(0.3)
        const requests = Array.from({ length: 1000 }, (_, i) => ({ PutRequest: { Item: item(10_000 + i) } }))
        const result = yield* ddb.batchWriteAll({ items: requests }, { maxElapsed: "30 seconds" })
        // 30% of each batch comes back. Pooled: 1000 → 280 → 78 → 21 → 6 → 1 → 0 left, sent as 40 + 12 + 4 + 1 + 1 + 1
        // full batches. Redriven batch by batch, each of the 40 batches takes 25 → 7 → 2 → 0: 120 requests.
        expect(result).toEqual({ written: 1000, rounds: 5, calls: 59 })
        const sent = (yield* lab.log).filter((e) => e.operation === "BatchWriteItem")
        expect(sent).toHaveLength(59)
        // What each request handed back: 30% of a full batch (7) in all but each round's last batch.
        expect(sent.map((e) => e.unprocessed).filter((n) => n === 7)).toHaveLength(40 + 11 + 3)
        const keys = yield* keysInTable(lab, "items")
        expect(keys.filter((k) => Number(k.slice("item-".length)) >= 10_000)).toHaveLength(1000)
      }))

    it.effect("a batch whose time budget ends fails with exactly what is left: nothing is dropped", () =>
      Effect.gen(function*() {
        const ddb = yield* DynamoDB.DynamoDB
        yield* handBack(1)
        const requests = Array.from({ length: 60 }, (_, i) => ({ PutRequest: { Item: item(5000 + i) } }))
        const error = yield* Effect.flip(ddb.batchWriteAll({ items: requests }, { maxElapsed: "100 millis" }))
        expect(error._tag).toBe("BatchWriteError")
        if (error._tag !== "BatchWriteError") return
        expect(error.written).toBe(0)
        expect(error.failed).toEqual([])
        const left = error.unprocessed.items ?? []
        expect(left).toHaveLength(60)
        expect(new Set(left.map((r) => r.PutRequest?.Item?.pk?.S))).toEqual(
          new Set(requests.map((r) => r.PutRequest.Item.pk!.S))
        )
        expect(error.message).toContain("60 still unprocessed")
      }))

    it.effect("writing 2,000 items to a table that does not exist fails in the error channel, with every item", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        const requests = Array.from({ length: 2000 }, (_, i) => ({ PutRequest: { Item: item(i) } }))
        const error = yield* Effect.flip(ddb.batchWriteAll({ "no-such-table": requests }))
        expect(error._tag).toBe("BatchWriteError")
        if (error._tag !== "BatchWriteError") return
        expect(error.written).toBe(0)
        expect(error.unprocessed).toEqual({})
        expect(error.failed).toHaveLength(80)
        for (const f of error.failed) {
          expect(f.error).toMatchObject({ _tag: "FatalError", code: "ResourceNotFoundException" })
        }
        const failed = error.failed.flatMap((f) => f.requests["no-such-table"] ?? [])
        expect(failed).toHaveLength(2000)
        expect(new Set(failed.map((r) => r.PutRequest?.Item?.pk?.S)).size).toBe(2000)
        expect(error.message).toContain("2000 in calls that failed (ResourceNotFoundException)")
        // The requests are payloads: no rendering of the error shows them.
        const rendered = `${error.message} ${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`
        expect(rendered).not.toContain("item-1")
      }))

    it.effect("batchGetAll fails in the error channel with the items it read and every key it could not", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        yield* ddb.batchWriteAll({ orders: [{ PutRequest: { Item: item(7) } }] })
        const error = yield* Effect.flip(ddb.batchGetAll({
          orders: { Keys: [{ pk: { S: "item-7" } }], ConsistentRead: true },
          "no-such-table": { Keys: [{ pk: { S: "a" } }, { pk: { S: "b" } }] }
        }))
        expect(error._tag).toBe("BatchGetError")
        if (error._tag !== "BatchGetError") return
        expect(error.failed).toHaveLength(1)
        expect(error.failed[0]!.error).toMatchObject({ _tag: "FatalError", reason: "notFound" })
        expect(error.failed[0]!.requests).toEqual({
          orders: [{ pk: { S: "item-7" } }],
          "no-such-table": [{ pk: { S: "a" } }, { pk: { S: "b" } }]
        })
      }))

    const dynamoError = (code: string, message: string, extra: Record<string, unknown> = {}) =>
      Fault.synthetic({
        status: 400,
        body: { __type: `com.amazonaws.dynamodb.v20120810#${code}`, message, ...extra }
      })

    it.effect("a write refused by a transaction in progress (TransactionConflictException) was not applied: retried, even an ADD", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        yield* lab.push({
          service: "dynamodb",
          operation: "UpdateItem",
          fault: dynamoError("TransactionConflictException", "Transaction is ongoing for the item"),
          times: 2
        })
        yield* ddb.send(
          new UpdateItemCommand({
            TableName: "orders",
            Key: { pk: { S: "counter" } },
            UpdateExpression: "ADD visits :one",
            ExpressionAttributeValues: { ":one": { N: "1" } }
          })
        )
        const out = yield* ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "counter" } } }))
        expect(out.Item?.visits?.N).toBe("1")
        expect((yield* lab.log).filter((e) => e.operation === "UpdateItem").map((e) => e.action)).toEqual([
          "Synthetic",
          "Synthetic",
          "forward"
        ])
      }))

    it.effect("TransactWriteItems cancelled for a conflict is retried; cancelled for a failed condition it is not", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        const cancelled = (...codes: ReadonlyArray<string>) =>
          dynamoError(
            "TransactionCanceledException",
            `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
            { CancellationReasons: codes.map((Code) => (Code === "None" ? { Code } : { Code, Message: Code })) }
          )
        const transaction = new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: "orders", Item: item(1) } }, {
            Put: { TableName: "orders", Item: item(2) }
          }]
        })
        // dynalite has no transactions: the proxy answers for it, the conflict first, then the success.
        yield* lab.push(
          { service: "dynamodb", operation: "TransactWriteItems", fault: cancelled("None", "TransactionConflict") },
          { service: "dynamodb", operation: "TransactWriteItems", fault: Fault.synthetic({ body: {} }) }
        )
        yield* ddb.send(transaction)
        yield* lab.push({
          service: "dynamodb",
          operation: "TransactWriteItems",
          fault: cancelled("ConditionalCheckFailed", "None"),
          times: 5
        })
        const error = yield* Effect.flip(ddb.send(transaction))
        expect(error).toMatchObject({ _tag: "FatalError", reason: "conflict", retries: { attempts: 1 } })
        expect((yield* lab.log).filter((e) => e.operation === "TransactWriteItems").map((e) => e.action)).toEqual([
          "Synthetic",
          "Synthetic",
          "Synthetic"
        ])
      }))

    it.effect("batchWriteAll rejects a malformed request naming it", () =>
      Effect.gen(function*() {
        const ddb = yield* DynamoDB.DynamoDB
        const error = yield* Effect.flip(ddb.batchWriteAll({ items: [{ PutRequest: { Item: item(1) } }, {}] }))
        expect(error).toMatchObject({ _tag: "InvalidOptionError", field: "requestItems.items[1]" })
      }))

    it.effect("batchGetAll reads every key through unprocessed keys, and query/scan stream every page", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        const written = yield* ddb.batchWriteAll({
          reads: Array.from({ length: 250 }, (_, i) => ({ PutRequest: { Item: item(i) } }))
        })
        expect(written.written).toBe(250)
        yield* lab.push({ service: "dynamodb", operation: "BatchGetItem", fault: Fault.unprocessed(0.5), times: 5 })
        const read = yield* ddb.batchGetAll({
          reads: { Keys: Array.from({ length: 250 }, (_, i) => ({ pk: { S: `item-${i}` } })) }
        })
        expect(new Set((read.items.reads ?? []).map((i) => i.pk?.S)).size).toBe(250)
        yield* lab.push({ service: "dynamodb", operation: "Scan", fault: Fault.throttle(), times: 1 })
        const scanned = yield* ddb.scan({ TableName: "reads", Limit: 40 }).pipe(Stream.runCollect)
        expect(Chunk.size(scanned)).toBe(250)
        expect((yield* lab.log).filter((e) => e.operation === "Scan" && e.action === "forward").length).toBe(7)
      }))
  }
)

describe("DynamoDB service lifecycle", () => {
  it("destroys its SDK client when the layer closes", async () => {
    let destroyed = false
    await Effect.runPromise(
      Effect.scoped(Effect.gen(function*() {
        const ddb = yield* DynamoDB.make({ region: "us-east-1" })
        const original = ddb.client.destroy.bind(ddb.client)
        ddb.client.destroy = () => {
          destroyed = true
          original()
        }
      }))
    )
    expect(destroyed).toBe(true)
  })
})
