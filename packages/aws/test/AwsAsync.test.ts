// The Promise face, used as plain async code would use it: no Effect in the tests' own logic, the lab over real HTTP.
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { GetObjectCommand } from "@aws-sdk/client-s3"
import { AwsAsync } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as Lambda from "@rebound/aws/Lambda"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab } from "@rebound/aws/testing"
import { CallError, InvalidOption, RetryPolicy } from "@rebound/core"
import { Effect, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fast, keysInTable } from "./helpers.js"

let labRuntime: ManagedRuntime.ManagedRuntime<Lab.Lab, unknown>
let lab: Lab.Lab
let aws: AwsAsync.AwsRuntime<DynamoDB.DynamoDB | S3.S3 | Lambda.Lambda>
let ddb: DynamoDB.DynamoDBAsync
let s3: S3.S3Async
let lambda: Lambda.LambdaAsync

/** The lab's own controls are Effects; the code under test is not. */
const control = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const sentTo = async (operation: string) =>
  (await control(lab.log)).filter((e) => e.operation === operation).map((e) => e.action)

let runs = 0

/** Waits, polling, until `ready` holds (the lab works in real time). */
const until = async (ready: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 500 && !(await ready()); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

beforeAll(async () => {
  labRuntime = ManagedRuntime.make(
    Lab.layer({
      tables: ["orders", "bulk"],
      buckets: ["uploads"],
      functions: {
        count: {
          handler: async () => {
            runs++
            await new Promise((resolve) => setTimeout(resolve, 20))
            return { runs }
          }
        },
        boom: {
          handler: () => {
            throw Object.assign(new Error("kaboom"), { name: "PaymentDeclined" })
          }
        }
      }
    })
  )
  lab = await labRuntime.runPromise(Lab.Lab)
  aws = await AwsAsync.make(Lab.services(lab, { policy: fast }))
  ddb = DynamoDB.async(aws)
  s3 = S3.async(aws)
  lambda = Lambda.async(aws)
})

afterAll(async () => {
  await aws?.dispose()
  await labRuntime?.dispose()
})

describe("AwsAsync: the services from plain async code", () => {
  it("a throttled read is retried and resolves", async () => {
    await control(lab.clear)
    await ddb.send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: "o-1" }, total: { N: "42" } } }))
    await control(lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 2 }))
    const out = await ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }))
    expect(out.Item?.total?.N).toBe("42")
    expect(await sentTo("GetItem")).toEqual(["Throttle", "Throttle", "forward"])
  })

  it("failures reject with the typed error itself, saying why retries stopped", async () => {
    await control(lab.clear)
    const missing = await ddb.send(new GetItemCommand({ TableName: "no-such-table", Key: { pk: { S: "x" } } }))
      .catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(CallError.FatalError)
    expect(missing).toMatchObject({ code: "ResourceNotFoundException", reason: "notFound", retries: { attempts: 1 } })

    await control(lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 10 }))
    const throttled = await ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }))
      .catch((e: unknown) => e)
    expect(CallError.isThrottlingError(throttled)).toBe(true)
    expect(throttled).toMatchObject({ retries: { attempts: 4, stopReason: "maxAttempts", policy: "fast" } })
    await control(lab.clear)
  })

  it("idempotency: an invoke whose connection broke after it was sent is not repeated", async () => {
    await control(lab.clear)
    const before = runs
    await control(lab.push({ service: "lambda", operation: "Invoke", fault: Fault.resetAfterForward, times: 1 }))
    const error = await lambda.invoke({ FunctionName: "count" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CallError.TransientError)
    expect(error).toMatchObject({ ambiguous: true, retries: { attempts: 1, stopReason: "notIdempotent" } })
    await until(async () => (await control(lab.executions("count"))).inFlight === 0)
    expect(runs - before).toBe(1)
  })

  it("batch redrive: every item lands although DynamoDB hands half of each batch back", async () => {
    await control(lab.clear)
    await control(
      lab.push({ service: "dynamodb", operation: "BatchWriteItem", fault: Fault.unprocessed(0.5), times: Infinity })
    )
    const requests = Array.from({ length: 60 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `item-${i}` } } } }))
    const result = await ddb.batchWriteAll({ bulk: requests }, { backoff: undefined, maxElapsed: "30 seconds" })
    await control(lab.clear)
    expect(result).toMatchObject({ written: 60 })
    expect(new Set(await control(keysInTable(lab, "bulk"))).size).toBe(60)
    const read = await ddb.batchGetAll({ bulk: { Keys: requests.map((r) => ({ pk: r.PutRequest.Item.pk })) } })
    expect(read.items.bulk).toHaveLength(60)
  })

  it("paginated reads are async iterables; leaving the loop early stops them", async () => {
    await control(lab.clear)
    const seen: Array<string> = []
    for await (const item of ddb.scan({ TableName: "bulk", Limit: 7 })) seen.push(item.pk!.S!)
    expect(new Set(seen).size).toBe(60)
    const pagesBefore = (await sentTo("Scan")).length
    let taken = 0
    for await (const _ of ddb.scan({ TableName: "bulk", Limit: 7 })) {
      if (++taken === 3) break
    }
    expect((await sentTo("Scan")).length - pagesBefore).toBe(1)
  })

  it("per-attempt timeouts: a stalled call rejects with an ambiguous AttemptTimeout", async () => {
    await control(lab.clear)
    await control(lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.stall, times: 1 }))
    const error = await ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }), {
      attemptTimeout: "100 millis",
      policy: RetryPolicy.make({ name: "once", maxAttempts: 1 })
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ _tag: "TransientError", code: "AttemptTimeout", ambiguous: true })
    await control(lab.clear)
  })

  it("aborting the signal stops the backoff at once and rejects with an AbortError", async () => {
    await control(lab.clear)
    await control(lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 10 }))
    const controller = new AbortController()
    const slow = RetryPolicy.make({ name: "slow", maxAttempts: 5, throttling: { base: "20 seconds", jitter: "none" } })
    const pending = ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }), {
      policy: slow,
      signal: controller.signal
    })
    // Once the first attempt is throttled, the call sleeps for its 20 s backoff.
    await until(async () => (await sentTo("GetItem")).length === 1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    controller.abort()
    const error = await pending.catch((e: unknown) => e)
    expect(error).toMatchObject({ name: "AbortError" })
    expect(await sentTo("GetItem")).toEqual(["Throttle"])
    await control(lab.clear)
  })

  it("S3: a multipart upload survives a failed part and reads back intact", async () => {
    await control(lab.clear)
    await control(lab.push({ service: "s3", operation: "UploadPart", fault: Fault.serverError(500), times: 1 }))
    const body = Buffer.alloc(11 * 1024 * 1024, 7)
    const uploaded = await s3.upload({ Bucket: "uploads", Key: "big.bin", Body: body }, { partSize: 5 * 1024 * 1024 })
    expect(uploaded).toMatchObject({ multipart: true, parts: 3, bytes: body.length })
    expect((await sentTo("UploadPart")).filter((a) => a !== "forward")).toHaveLength(1)
    const object = await s3.send(new GetObjectCommand({ Bucket: "uploads", Key: "big.bin" }))
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(body)).toBe(true)
  })

  it("a function's own error rejects with Lambda.FunctionError", async () => {
    const error = await lambda.invoke({ FunctionName: "boom" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Lambda.FunctionError)
    expect(error).toMatchObject({ errorType: "PaymentDeclined", kind: "Unhandled" })
  })

  it("bad options reject when the runtime is built, and a bad per-call option rejects naming the field", async () => {
    const built = await AwsAsync.make(DynamoDB.layer({ attemptTimeout: -1 })).catch((e: unknown) => e)
    expect(built).toBeInstanceOf(InvalidOption.InvalidOptionError)
    expect(built).toMatchObject({ constructorName: "DynamoDB.layer", field: "attemptTimeout" })
    const call = await ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }), {
      attemptTimeout: Number.NaN
    }).catch((e: unknown) => e)
    expect(call).toMatchObject({ _tag: "InvalidOptionError", field: "options.attemptTimeout" })
  })

  it("dispose closes the services; later calls reject", async () => {
    const own = await AwsAsync.make(Lab.services(lab, { policy: fast }))
    const ownDdb = DynamoDB.async(own)
    await ownDdb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }))
    await own.dispose()
    const error = await ownDdb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ name: "RuntimeDisposed" })
  })
})
