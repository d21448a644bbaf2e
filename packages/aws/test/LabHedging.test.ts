// Hedged requests over real HTTP: the real SDK clients, the lab's servers, and the fault proxy's latency tail.
// Millisecond delays only; every assertion is about behaviour (what was sent, what won, what was aborted), never
// about how long anything took.
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb"
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { expect, layer } from "@effect/vitest"
import { AwsCall } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab } from "@rebound/aws/testing"
import { Hedging, LatencyTracker, RetryEvent, RetryPolicy, StateStore } from "@rebound/core"
import { LatencyTail } from "@rebound/core/testing"
import { Effect, Fiber, Layer } from "effect"
import { Readable } from "node:stream"
import * as service from "../src/internal/service.js"
import { freshLab } from "./labClients.js"

const reads = (hedging: Hedging.Hedging) =>
  RetryPolicy.make({ name: "reads", maxAttempts: 2, base: 5, idempotent: true }).pipe(RetryPolicy.withHedging(hedging))

/** Fresh services on the lab for one test, their guard state and latency series fresh too, and every event kept. */
const withServices = <A, E>(
  policy: RetryPolicy.RetryPolicy,
  use: (events: Array<RetryEvent.RetryEvent>) => Effect.Effect<A, E, DynamoDB.DynamoDB | S3.S3 | Lab.Lab>
) =>
  Effect.gen(function*() {
    const lab = yield* freshLab
    const events: Array<RetryEvent.RetryEvent> = []
    return yield* use(events).pipe(
      RetryEvent.withObserver((e) => Effect.sync(() => void events.push(e))),
      Effect.provide(
        Layer.mergeAll(Lab.services(lab, { policy }), StateStore.layerMemory, LatencyTracker.layerMemory())
      )
    )
  })

const count = (events: ReadonlyArray<RetryEvent.RetryEvent>, tag: RetryEvent.RetryEvent["_tag"], operation?: string) =>
  events.filter((e) => e._tag === tag && (operation === undefined || ("call" in e && e.call.operation === operation)))
    .length

layer(Lab.layer({ tables: ["hedged"], buckets: ["hedged-reads"] }), {
  excludeTestServices: true,
  timeout: "60 seconds"
})(
  "hedging in the lab",
  (it) => {
    it.effect("a slow S3 GetObject is hedged; the hedge wins; the slow request is aborted, never answered", () =>
      withServices(reads(Hedging.make({ delay: "30 millis" })), (events) =>
        Effect.gen(function*() {
          const lab = yield* Lab.Lab
          const s3 = yield* S3.S3
          yield* s3.send(new PutObjectCommand({ Bucket: "hedged-reads", Key: "a", Body: "hello" }))
          yield* lab.push({ operation: "GetObject", fault: Fault.delay("400 millis"), times: 1 })
          const object = yield* s3.send(new GetObjectCommand({ Bucket: "hedged-reads", Key: "a" }))
          expect(yield* Effect.promise(() => object.Body!.transformToString())).toBe("hello")
          expect(count(events, "HedgeStarted", "GetObject")).toBe(1)
          expect(count(events, "HedgeWon", "GetObject")).toBe(1)
          expect(events.find((e) => e._tag === "HedgeCancelled" && e.call.operation === "GetObject")).toMatchObject({
            copy: 0
          })
          // The delayed request's client had gone when the proxy would have answered: no status was sent.
          yield* Effect.sleep("450 millis")
          const gets = (yield* lab.log).filter((e) => e.operation === "GetObject")
          expect(gets.map((e) => [e.action, e.status])).toEqual([["forward", 200], ["Delay", undefined]])
        })))

    it.effect("S3 hedges go out on the hedge client, a second client with its own connections", () =>
      Effect.scoped(Effect.gen(function*() {
        const lab = yield* freshLab
        const svc = yield* service.make(
          "S3",
          (config) => new S3Client(config),
          {
            region: lab.clientConfig.s3.region,
            endpoint: lab.clientConfig.s3.endpoint,
            credentials: lab.clientConfig.s3.credentials,
            sdk: { forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" }
          },
          "5 seconds",
          true
        )
        expect(svc.hedgeClient).toBeDefined()
        const primary = svc.sdkClient
        const hedges = svc.sdkHedgeClient!
        expect(hedges).not.toBe(primary)
        // Each client built its own HTTP handler (and so its own agent and connection pool).
        const handlerOf = (c: S3Client) => c.config.requestHandler
        expect(handlerOf(hedges)).not.toBe(handlerOf(primary))
        const sentBy: Array<string> = []
        const spy = (c: AwsCall.SdkClient, name: string): AwsCall.SdkClient => ({
          send: (command, options) => {
            sentBy.push(name)
            return c.send(command, options)
          }
        })
        const wired: AwsCall.Service = {
          ...svc,
          client: spy(svc.client, "primary"),
          hedgeClient: spy(svc.hedgeClient!, "hedge")
        }
        yield* AwsCall.send(wired, new PutObjectCommand({ Bucket: "hedged-reads", Key: "b", Body: "x" }))
        yield* lab.push({ operation: "GetObject", fault: Fault.delay("300 millis"), times: 1 })
        sentBy.length = 0
        yield* AwsCall.send(wired, new GetObjectCommand({ Bucket: "hedged-reads", Key: "b" }), {
          policy: reads(Hedging.make({ delay: "20 millis" }))
        }).pipe(Effect.provide(StateStore.layerMemory))
        expect(sentBy).toEqual(["primary", "hedge"])
      })))

    it.effect("a non-idempotent DynamoDB update is never hedged, however slow", () =>
      withServices(reads(Hedging.make({ delay: "10 millis" })), (events) =>
        Effect.gen(function*() {
          const lab = yield* Lab.Lab
          const ddb = yield* DynamoDB.DynamoDB
          yield* lab.push({ operation: "UpdateItem", fault: Fault.delay("150 millis"), times: 1 })
          yield* ddb.send(
            new UpdateItemCommand({
              TableName: "hedged",
              Key: { pk: { S: "counter" } },
              UpdateExpression: "ADD n :one",
              ExpressionAttributeValues: { ":one": { N: "1" } }
            })
          )
          expect(count(events, "HedgeStarted")).toBe(0)
          expect((yield* lab.log).filter((e) => e.operation === "UpdateItem")).toHaveLength(1)
        })))

    it.effect("a PutObject with a one-shot stream body is never hedged: a hedge would send the spent body again", () =>
      withServices(reads(Hedging.make({ delay: "10 millis" })), (events) =>
        Effect.gen(function*() {
          const lab = yield* Lab.Lab
          const s3 = yield* S3.S3
          yield* lab.push({ operation: "PutObject", fault: Fault.delay("150 millis"), times: 1 })
          yield* s3.send(
            new PutObjectCommand({ Bucket: "hedged-reads", Key: "once", Body: Readable.from(["x"]), ContentLength: 1 })
          )
          expect(count(events, "HedgeStarted")).toBe(0)
          expect((yield* lab.log).filter((e) => e.operation === "PutObject")).toHaveLength(1)
          const object = yield* s3.send(new GetObjectCommand({ Bucket: "hedged-reads", Key: "once" }))
          expect(yield* Effect.promise(() => object.Body!.transformToString())).toBe("x")
        })))

    it.effect("an interrupted hedged call leaves no request open: both are aborted before the proxy answers", () =>
      withServices(reads(Hedging.make({ delay: "20 millis" })), (events) =>
        Effect.gen(function*() {
          const lab = yield* Lab.Lab
          const ddb = yield* DynamoDB.DynamoDB
          yield* lab.push({ operation: "GetItem", fault: Fault.delay("300 millis"), times: 2 })
          const fiber = yield* Effect.fork(
            ddb.send(new GetItemCommand({ TableName: "hedged", Key: { pk: { S: "x" } } }))
          )
          while (count(events, "HedgeStarted") === 0) yield* Effect.sleep(5)
          yield* Effect.sleep(20)
          yield* Fiber.interrupt(fiber)
          expect(events.at(-1)).toMatchObject({ _tag: "CallAborted", reason: "interrupted" })
          yield* Effect.sleep("350 millis")
          const gets = (yield* lab.log).filter((e) => e.operation === "GetItem")
          expect(gets.map((e) => [e.action, e.status])).toEqual([["Delay", undefined], ["Delay", undefined]])
        })))

    it.effect("under a latency tail: hedges fire and win, losers are aborted, extra requests stay within the budget", () =>
      withServices(
        reads(Hedging.make({ delay: { quantile: 0.9, minSamples: 20 }, budget: { ratio: 0.05 } })),
        (events) =>
          Effect.gen(function*() {
            const lab = yield* Lab.Lab
            const ddb = yield* DynamoDB.DynamoDB
            yield* ddb.send(new PutItemCommand({ TableName: "hedged", Item: { pk: { S: "k" }, v: { S: "1" } } }))
            yield* lab.clear
            yield* lab.latencyTail({
              seed: 18,
              service: "dynamodb",
              operation: "GetItem",
              tail: LatencyTail.make(0.05, LatencyTail.uniform("1500 millis", "2 seconds"))
            })
            const calls = 150
            yield* Effect.forEach(
              Array.from({ length: calls }),
              () => ddb.send(new GetItemCommand({ TableName: "hedged", Key: { pk: { S: "k" } } })),
              { concurrency: 10, discard: true }
            )
            // Until every delayed request has met the end of its delay at the proxy, and been logged.
            yield* Effect.sleep("2100 millis")
            const log = (yield* lab.log).filter((e) => e.operation === "GetItem")
            const started = count(events, "HedgeStarted")
            expect(started).toBeGreaterThan(0)
            expect(count(events, "HedgeWon")).toBeGreaterThan(0)
            // Every call's first request reached the proxy; a hedge aborted the instant it left may not have.
            expect(log.length).toBeGreaterThanOrEqual(calls)
            expect(log.length).toBeLessThanOrEqual(calls + started)
            // The budget: 10 tokens to start with, plus 5 % of the calls.
            expect(started).toBeLessThanOrEqual(10 + Math.floor(0.05 * calls))
            // Losers were aborted: the proxy found their clients gone (no status) — and no request but a cancelled copy.
            const aborted = log.filter((e) => e.status === undefined)
            expect(aborted.length).toBeGreaterThan(0)
            expect(aborted.length).toBeLessThanOrEqual(count(events, "HedgeCancelled"))
          })
      ))
  }
)
