import { describe, expect, it } from "@effect/vitest"
import { Capacity } from "@rebound/aws/testing"
import { Effect, Either, TestClock } from "effect"
import * as batch from "../src/testing/internal/batch.js"
import * as controller from "../src/testing/internal/controller.js"
import type { RequestInfo } from "../src/testing/internal/request.js"

describe("Capacity.take", () => {
  it("grants whole units up to the burst, then refills at the rate", () => {
    const full = Capacity.tokenBucket(10, "1 second", 0)
    const [first, empty] = Capacity.take(full, 25, 0)
    expect(first).toBe(10)
    expect(Capacity.take(empty, 1, 0)[0]).toBe(0)
    expect(Capacity.take(empty, 25, 350)[0]).toBe(3) // 3.5 units after 350 ms
    expect(Capacity.take(empty, 25, 60_000)[0]).toBe(10) // never more than the burst
  })

  it("holds `rate × burst` units", () => {
    expect(Capacity.tokenBucket(5, "3 seconds", 0).capacity).toBe(15)
  })

  it("refuses rates and bursts that cannot hold one unit", () => {
    const negative = Capacity.validateTable({ readPerSecond: -1, writePerSecond: 1 })
    expect(Either.isLeft(negative) && negative.left.field).toBe("readPerSecond")
    const tiny = Capacity.validatePrefix({ requestsPerSecond: 2, burst: "100 millis" })
    expect(Either.isLeft(tiny) && tiny.left.field).toBe("burst")
    expect(Either.isRight(Capacity.validateTable({ readPerSecond: 0, writePerSecond: 5 }))).toBe(true)
  })
})

describe("batch splitting", () => {
  const puts = (table: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { pk: { S: `${table}-${i}` } } } }))

  it("costs one unit per item or key", () => {
    expect(batch.demandOf("BatchWriteItem", { RequestItems: { a: puts("a", 3), b: puts("b", 2) } })).toEqual({
      kind: "write",
      batch: true,
      tables: [["a", 3], ["b", 2]]
    })
    expect(batch.demandOf("GetItem", { TableName: "a" })).toEqual({ kind: "read", batch: false, tables: [["a", 1]] })
    expect(batch.demandOf("DescribeTable", { TableName: "a" })).toBeUndefined()
  })

  it("forwards what was granted and hands the rest back, table by table", () => {
    const body = { RequestItems: { a: puts("a", 3), b: puts("b", 2) }, ReturnConsumedCapacity: "TOTAL" }
    const split = batch.splitBatch("BatchWriteItem", body, new Map([["a", 1], ["b", 0]]))
    expect(split.forward).toEqual({ RequestItems: { a: puts("a", 1) }, ReturnConsumedCapacity: "TOTAL" })
    expect(split.unprocessed).toEqual({ a: puts("a", 3).slice(1), b: puts("b", 2) })
    expect(split.unprocessedCount).toBe(4)
  })

  it("keeps a BatchGetItem table's other members with its remaining keys", () => {
    const keys = [1, 2, 3].map((i) => ({ pk: { S: `${i}` } }))
    const split = batch.splitBatch(
      "BatchGetItem",
      { RequestItems: { a: { Keys: keys, ConsistentRead: true } } },
      new Map([["a", 2]])
    )
    expect(split.forward).toEqual({ RequestItems: { a: { Keys: keys.slice(0, 2), ConsistentRead: true } } })
    expect(split.unprocessed).toEqual({ a: { Keys: keys.slice(2), ConsistentRead: true } })
  })

  it("merges with what the upstream itself left unprocessed", () => {
    const merged = batch.mergeUnprocessed(
      "BatchWriteItem",
      { UnprocessedItems: { a: puts("a", 1) }, ConsumedCapacity: [] },
      { a: puts("x", 1), b: puts("b", 1) }
    )
    expect(merged).toEqual({
      UnprocessedItems: { a: [...puts("a", 1), ...puts("x", 1)], b: puts("b", 1) },
      ConsumedCapacity: []
    })
  })
})

describe("capacity on the Clock", () => {
  const getItem: RequestInfo = {
    service: "dynamodb",
    method: "POST",
    operation: "GetItem",
    resource: "orders",
    bucket: undefined,
    key: undefined,
    sdkAttempt: 1,
    fingerprint: "x",
    json: { TableName: "orders", Key: {} }
  }

  it.effect("a table's read bucket throttles past its rate and refills as TestClock moves", () =>
    Effect.gen(function*() {
      const brain = yield* controller.make
      yield* brain.setTable("orders", { readPerSecond: 10, writePerSecond: 1 })
      const admit = (n: number) =>
        Effect.map(Effect.replicateEffect(brain.admit(getItem), n), (xs) => xs.map((a) => a._tag))
      const burst = yield* admit(12)
      expect(burst.filter((t) => t === "Forward").length).toBe(10)
      expect(burst.slice(10)).toEqual(["Refuse", "Refuse"])
      yield* TestClock.adjust("300 millis")
      expect(yield* admit(4)).toEqual(["Forward", "Forward", "Forward", "Refuse"])
    }))

  it.effect("a batch is split by what the bucket holds, and refused when nothing fits", () =>
    Effect.gen(function*() {
      const brain = yield* controller.make
      yield* brain.setTable("orders", { readPerSecond: 1, writePerSecond: 4 })
      const info: RequestInfo = {
        ...getItem,
        operation: "BatchWriteItem",
        json: { RequestItems: { orders: Array.from({ length: 10 }, (_, i) => ({ PutRequest: { Item: { i } } })) } }
      }
      const first = yield* brain.admit(info)
      expect(first._tag === "Forward" && first.split?.unprocessedCount).toBe(6)
      expect((yield* brain.admit(info))._tag).toBe("Refuse")
      yield* TestClock.adjust("500 millis")
      const third = yield* brain.admit(info)
      expect(third._tag === "Forward" && third.split?.unprocessedCount).toBe(8)
    }))
})
