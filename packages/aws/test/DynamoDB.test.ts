import { type AttributeValue, GetItemCommand, PutItemCommand, type WriteRequest } from "@aws-sdk/client-dynamodb"
import { describe, expect, it, layer } from "@effect/vitest"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { Fault, Lab } from "@rebound/aws/testing"
import { RetryEvent } from "@rebound/core"
import { Chunk, Effect, Ref, Stream } from "effect"
import { keysInTable, labWithServices } from "./helpers.js"

const item = (i: number): Record<string, AttributeValue> => ({ pk: { S: `item-${i}` }, n: { N: String(i) } })

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
        expect(result.complete).toBe(true)
        expect(result.written).toBe(1000)
        expect(result.rounds).toBe(2) // 30% of each remainder comes back: 25 → 7 → 2 → 0
        const keys = yield* keysInTable(lab, "items")
        expect(keys).toHaveLength(1000)
        expect(new Set(keys).size).toBe(1000)
        const log = yield* lab.log
        expect(log.filter((e) => e.action === "Throttle")).toHaveLength(6)
        expect(log.reduce((n, e) => n + e.unprocessed, 0)).toBeGreaterThan(300)
      }))

    it.effect("a batch whose time budget ends lists exactly what is left: nothing is dropped", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        yield* lab.push({
          service: "dynamodb",
          operation: "BatchWriteItem",
          fault: Fault.unprocessed(1),
          times: Infinity
        })
        const requests = Array.from({ length: 60 }, (_, i) => ({ PutRequest: { Item: item(5000 + i) } }))
        const result = yield* ddb.batchWriteAll({ items: requests }, { maxElapsed: "100 millis" })
        expect(result.complete).toBe(false)
        expect(result.written).toBe(0)
        const left = result.unprocessed.items ?? []
        expect(left).toHaveLength(60)
        expect(new Set(left.map((r) => r.PutRequest?.Item?.pk?.S))).toEqual(
          new Set(requests.map((r) => r.PutRequest.Item.pk!.S))
        )
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
        expect(written.complete).toBe(true)
        yield* lab.push({ service: "dynamodb", operation: "BatchGetItem", fault: Fault.unprocessed(0.5), times: 5 })
        const read = yield* ddb.batchGetAll({
          reads: { Keys: Array.from({ length: 250 }, (_, i) => ({ pk: { S: `item-${i}` } })) }
        })
        expect(read.complete).toBe(true)
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
