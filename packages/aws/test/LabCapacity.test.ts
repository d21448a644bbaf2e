// Throttling that arises from load: table capacity (with batches split as DynamoDB splits them), S3 prefix rates,
// Lambda invocation rates.
import { BatchGetItemCommand, BatchWriteItemCommand, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb"
import { InvokeCommand } from "@aws-sdk/client-lambda"
import { PutObjectCommand } from "@aws-sdk/client-s3"
import { expect, layer } from "@effect/vitest"
import { Lab } from "@rebound/aws/testing"
import { Effect } from "effect"
import { call, names, outcome } from "./labCalls.js"
import { clients, freshLab } from "./labClients.js"

const tables = ["reads", "writes", "frozen", "lookups"]

layer(Lab.layer({ tables, buckets: ["capacity"] }), { excludeTestServices: true })("capacity", (it) => {
  it.scoped("a burst of GetItem against 10 reads/s is partly throttled with ProvisionedThroughputExceededException", () =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      yield* lab.setTable("reads", { readPerSecond: 10, writePerSecond: 10 })
      const results = yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => `${i}`),
        (pk) =>
          outcome((abortSignal) =>
            sdk.dynamodb.send(new GetItemCommand({ TableName: "reads", Key: { pk: { S: pk } } }), { abortSignal })
          ),
        { concurrency: "unbounded" }
      )
      const outcomes = names(results)
      const throttled = outcomes.filter((n) => n === "ProvisionedThroughputExceededException").length
      expect(outcomes.filter((n) => n === "ok").length).toBeGreaterThanOrEqual(10) // the bucket starts full
      expect(throttled).toBeGreaterThan(0)
      expect(throttled + outcomes.filter((n) => n === "ok").length).toBe(30)
      const log = yield* lab.log
      expect(log.filter((e) => e.capacity === "throttled" && e.source === "capacity").length).toBe(throttled)
      expect(log.filter((e) => e.action === "forward" && e.upstreamStatus === 200).length).toBe(30 - throttled)
    }))

  it.scoped("a BatchWriteItem of 25 beyond capacity writes exactly the part that fit, the rest comes back unprocessed", () =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      const upstream = yield* clients(lab, { upstream: true })
      yield* lab.setTable("writes", { readPerSecond: 100, writePerSecond: 5 })
      const keys = Array.from({ length: 25 }, (_, i) => `item-${i}`)
      const result = yield* call((abortSignal) =>
        sdk.dynamodb.send(
          new BatchWriteItemCommand({
            RequestItems: { writes: keys.map((pk) => ({ PutRequest: { Item: { pk: { S: pk } } } })) }
          }),
          { abortSignal }
        )
      )
      const unprocessed = (result.UnprocessedItems?.writes ?? []).map((r) => r.PutRequest?.Item?.pk?.S)
      expect(unprocessed.length).toBeGreaterThan(0)
      expect(unprocessed.length).toBeLessThan(25)
      const written = yield* call((abortSignal) =>
        upstream.dynamodb.send(new ScanCommand({ TableName: "writes" }), { abortSignal })
      )
      const inTable = (written.Items ?? []).map((item) => item.pk?.S).sort()
      // Exactly the forwarded part is in the table: every key either written or handed back, never both.
      expect(inTable).toEqual(keys.filter((k) => !unprocessed.includes(k)).sort())
      const [entry] = yield* lab.log
      expect([entry?.capacity, entry?.unprocessed]).toEqual(["split", unprocessed.length])
    }))

  it.scoped("a batch that fits nowhere is throttled whole", () =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      const upstream = yield* clients(lab, { upstream: true })
      yield* lab.setTable("frozen", { readPerSecond: 0, writePerSecond: 0 })
      const result = yield* outcome((abortSignal) =>
        sdk.dynamodb.send(
          new BatchWriteItemCommand({ RequestItems: { frozen: [{ PutRequest: { Item: { pk: { S: "x" } } } }] } }),
          { abortSignal }
        )
      )
      expect(names([result])).toEqual(["ProvisionedThroughputExceededException"])
      const scan = yield* call((abortSignal) =>
        upstream.dynamodb.send(new ScanCommand({ TableName: "frozen" }), { abortSignal })
      )
      expect(scan.Count).toBe(0)
    }))

  it.scoped("a BatchGetItem beyond capacity returns some items and the other keys as UnprocessedKeys", () =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      const keys = Array.from({ length: 20 }, (_, i) => ({ pk: { S: `k${i}` } }))
      yield* call((abortSignal) =>
        sdk.dynamodb.send(
          new BatchWriteItemCommand({ RequestItems: { lookups: keys.map((Item) => ({ PutRequest: { Item } })) } }),
          { abortSignal }
        )
      )
      yield* lab.setTable("lookups", { readPerSecond: 5, writePerSecond: 5 })
      const result = yield* call((abortSignal) =>
        sdk.dynamodb.send(new BatchGetItemCommand({ RequestItems: { lookups: { Keys: keys } } }), { abortSignal })
      )
      const found = (result.Responses?.lookups ?? []).map((item) => item.pk?.S)
      const left = (result.UnprocessedKeys?.lookups?.Keys ?? []).map((key) => key.pk?.S)
      expect(found.length).toBeGreaterThan(0)
      expect(left.length).toBeGreaterThan(0)
      expect([...found, ...left].sort()).toEqual(keys.map((k) => k.pk.S).sort())
    }))

  it.scoped("an S3 prefix past its request rate answers SlowDown; other prefixes are not limited", () =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      yield* lab.setPrefix("capacity", "hot/", { requestsPerSecond: 5 })
      const putAll = (prefix: string) =>
        Effect.forEach(
          Array.from({ length: 15 }, (_, i) => `${prefix}${i}`),
          (Key) =>
            outcome((abortSignal) =>
              sdk.s3.send(new PutObjectCommand({ Bucket: "capacity", Key, Body: "x" }), { abortSignal })
            ),
          { concurrency: "unbounded" }
        )
      const hot = names(yield* putAll("hot/"))
      const cold = names(yield* putAll("cold/"))
      expect(hot.filter((n) => n === "ok").length).toBeGreaterThanOrEqual(5)
      expect(hot.filter((n) => n === "SlowDown").length).toBeGreaterThan(0)
      expect(cold.every((n) => n === "ok")).toBe(true)
    }))

  it.scoped("a Lambda function past its invocation rate answers 429 ReservedFunctionInvocationRateLimitExceeded", () =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      yield* lab.register("rated", () => "ok", { ratePerSecond: 5 })
      const results = yield* Effect.forEach(
        Array.from({ length: 15 }, () => "{}"),
        (Payload) =>
          outcome((abortSignal) =>
            sdk.lambda.send(new InvokeCommand({ FunctionName: "rated", Payload }), { abortSignal })
          ),
        { concurrency: "unbounded" }
      )
      const reasons = results.flatMap((r) => r._tag === "Left" ? [r.left.Reason] : [])
      expect(reasons.length).toBeGreaterThan(0)
      expect(new Set(reasons)).toEqual(new Set(["ReservedFunctionInvocationRateLimitExceeded"]))
      const counts = yield* lab.executions("rated")
      expect(counts.started).toBe(15 - reasons.length)
      expect(counts.throttled).toBe(reasons.length)
    }))
})
