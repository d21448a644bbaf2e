import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { expect, layer } from "@effect/vitest"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as Lambda from "@rebound/aws/Lambda"
import { Lab } from "@rebound/aws/testing"
import { RetryPolicy } from "@rebound/core"
import { Effect, Random } from "effect"
import { keysInTable } from "./helpers.js"

/** CI runs 2,000 items; `REBOUND_SOAK_ITEMS=20000 pnpm test` soaks longer locally. */
const items = Number(process.env.REBOUND_SOAK_ITEMS ?? 2000)

const soakPolicy = RetryPolicy.make({
  name: "soak",
  maxAttempts: 10,
  base: "2 millis",
  cap: "50 millis",
  throttling: { base: "5 millis" },
  retryAfter: { maxExtra: "10 millis", maxDelay: "50 millis" }
})

/** Executions per payload id, counted by the function itself. */
const runs = new Map<string, number>()

layer(
  Lab.layerWithServices(
    {
      tables: ["soak", "burst"],
      functions: {
        count: {
          handler: (event) => {
            const id = String((event as { readonly id: string }).id)
            runs.set(id, (runs.get(id) ?? 0) + 1)
            return { ok: id }
          }
        }
      }
    },
    { policy: soakPolicy }
  ),
  { excludeTestServices: true, timeout: "60 seconds" }
)("a seeded chaos soak", (it) => {
  it.effect(
    `${items} items through batchWriteAll under throttles, unprocessed items, 5xx and resets land exactly once`,
    () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        yield* lab.clear
        yield* lab.chaos({
          seed: 20261129,
          service: "dynamodb",
          operation: "BatchWriteItem",
          probabilities: {
            throttle: 0.1,
            serverError: 0.05,
            resetBeforeForward: 0.05,
            resetAfterForward: 0.05,
            unprocessed: 0.25
          }
        })
        const requests = Array.from({ length: items }, (_, i) => ({
          PutRequest: { Item: { pk: { S: `soak-${i}` }, n: { N: String(i) } } }
        }))
        const result = yield* ddb.batchWriteAll({ soak: requests }, { maxElapsed: "45 seconds" }).pipe(
          Effect.withRandom(Random.make("soak"))
        )
        expect(result.written).toBe(items)
        const keys = yield* keysInTable(lab, "soak")
        expect(keys.length).toBe(items)
        expect(new Set(keys).size).toBe(items)
        const log = yield* lab.log
        const faults = new Set(log.filter((e) => e.source === "chaos").map((e) => e.action))
        expect([...faults].sort()).toEqual([
          "ResetAfterForward",
          "ResetBeforeForward",
          "ServerError",
          "Throttle",
          "Unprocessed"
        ])
      }),
    60_000
  )

  it.effect("Lambda functions invoked under ambiguous failures ran at most once each, unless marked idempotent", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      runs.clear()
      yield* lab.chaos({
        seed: 42,
        service: "lambda",
        probabilities: { throttle: 0.2, resetAfterForward: 0.15, serverError: 0.1 }
      })
      const plain = Array.from({ length: 100 }, (_, i) => `p${i}`)
      const idempotent = Array.from({ length: 30 }, (_, i) => `i${i}`)
      const outcomes = yield* Effect.forEach(
        [...plain.map((id) => ({ id, idempotent: false })), ...idempotent.map((id) => ({ id, idempotent: true }))],
        ({ id, idempotent }) =>
          Effect.either(lambda.invoke({ FunctionName: "count", payload: { id } }, { idempotent })),
        { concurrency: 8 }
      ).pipe(Effect.withRandom(Random.make("lambda-soak")))
      expect(plain.every((id) => (runs.get(id) ?? 0) <= 1)).toBe(true)
      // The chaos did bite: some plain calls failed ambiguously and were not repeated…
      expect(
        outcomes.slice(0, 100).some((o) => o._tag === "Left" && o.left._tag === "TransientError" && o.left.ambiguous)
      )
        .toBe(true)
      // …while idempotent calls were retried through it, sometimes running twice, and all succeeded.
      expect(outcomes.slice(100).every((o) => o._tag === "Right")).toBe(true)
      expect(idempotent.some((id) => (runs.get(id) ?? 0) > 1)).toBe(true)
    }))
})

layer(Lab.layerWithServices({ tables: ["burst"] }), { excludeTestServices: true, timeout: "60 seconds" })(
  "capacity, under rebound's default policy",
  (it) => {
    it.effect("a burst of reads against a table of 10 read units per second is throttled, and drained with every item read", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const ddb = yield* DynamoDB.DynamoDB
        expect((yield* RetryPolicy.CurrentRetryPolicy).name).toBe("rebound")
        const keys = Array.from({ length: 40 }, (_, i) => ({ pk: { S: `b-${i}` } }))
        const written = yield* ddb.batchWriteAll({ burst: keys.map((Key) => ({ PutRequest: { Item: Key } })) })
        expect(written.written).toBe(40)
        yield* lab.clear
        yield* lab.setTable("burst", { readPerSecond: 10, writePerSecond: 100 })
        // A burst of single reads: the bucket holds 10, so most of the first wave is throttled.
        const single = yield* Effect.forEach(
          keys.slice(0, 20),
          (Key) => Effect.either(ddb.send(new GetItemCommand({ TableName: "burst", Key }))),
          { concurrency: "unbounded" }
        )
        expect((yield* lab.log).some((e) => e.action === "Throttle" && e.source === "capacity")).toBe(true)
        expect(single.filter((r) => r._tag === "Right").length).toBeGreaterThanOrEqual(10)
        // Reading them all: batchGetAll resubmits what capacity hands back until every item is read.
        const read = yield* ddb.batchGetAll({ burst: { Keys: keys } })
        expect(new Set((read.items.burst ?? []).map((i) => i.pk?.S)).size).toBe(40)
        expect((yield* lab.log).some((e) => e.capacity === "split")).toBe(true)
      }))
  }
)
