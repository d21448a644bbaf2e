import {
  DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput
} from "@aws-sdk/client-dynamodb"
import { describe, expect, it, layer } from "@effect/vitest"
import { AwsCall, Idempotency, RetryStrategy } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as Lambda from "@rebound/aws/Lambda"
import { Fault, Lab } from "@rebound/aws/testing"
import { RetryEvent, RetryPolicy, RetryQuota, StateStore } from "@rebound/core"
import { Effect, Exit, Fiber, Random, Ref } from "effect"
import * as net from "node:net"
import { fast, labWithServices } from "./helpers.js"

layer(labWithServices({ tables: ["calls"] }), { excludeTestServices: true })("the call shell against the lab", (it) => {
  it.effect("interrupting a call aborts its in-flight HTTP request", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const ddb = yield* DynamoDB.DynamoDB
      yield* lab.clear
      yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.stall, times: 1 })
      const signals: Array<AbortSignal> = []
      const send = ddb.client.send.bind(ddb.client)
      // Observe the signal the shell hands the real client; the request itself still goes over HTTP.
      ddb.client.send = ((command: never, options: { abortSignal: AbortSignal }) => {
        signals.push(options.abortSignal)
        return send(command, options)
      }) as typeof ddb.client.send
      const fiber = yield* ddb.send(new GetItemCommand({ TableName: "calls", Key: { pk: { S: "1" } } })).pipe(
        Effect.fork
      )
      while ((yield* lab.pending).length > 0) yield* Effect.sleep("5 millis") // the request reached the proxy
      const exit = yield* Fiber.interrupt(fiber)
      ddb.client.send = send
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(signals).toHaveLength(1)
      expect(signals[0]!.aborted).toBe(true)
    }))

  it.effect("an attempt that gets no answer times out, ambiguous, and an idempotent read is retried", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const ddb = yield* DynamoDB.DynamoDB
      yield* lab.clear
      yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.stall, times: 2 })
      const out = yield* ddb.send(new GetItemCommand({ TableName: "calls", Key: { pk: { S: "1" } } }), {
        attemptTimeout: "250 millis" // room for a forwarded answer on a loaded machine
      })
      expect(out.Item).toBeUndefined()
      expect((yield* lab.log).filter((e) => e.operation === "GetItem").map((e) => e.action)).toEqual([
        "Stall",
        "Stall",
        "forward"
      ])
    }))

  it.effect("the SDK's RetryStrategyV2, driven by a rebound policy, for a plain client", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      yield* lab.clear
      const events = yield* Ref.make<Array<string>>([])
      const store = StateStore.makeMemory()
      const runtime = yield* Effect.runtime<never>().pipe(
        Effect.provide(RetryEvent.addObserver((e) => Ref.update(events, (xs) => [...xs, e._tag]))),
        Effect.provideService(StateStore.StateStore, store),
        Effect.withRandom(Random.make("adapter")),
        Effect.scoped
      )
      const policy = RetryPolicy.modify(fast, { quota: RetryQuota.make({ name: "adapter", capacity: 100 }) })
      const client = new DynamoDBClient({
        ...lab.clientConfig.dynamodb,
        retryStrategy: RetryStrategy.make(policy, { service: "DynamoDB", runtime, guardScope: "adapter-test" })
      })
      yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 2 })
      const ok = yield* Effect.promise(() =>
        client.send(new GetItemCommand({ TableName: "calls", Key: { pk: { S: "1" } } }))
      )
      expect(ok.$metadata.attempts).toBe(3)
      const tokens = yield* RetryQuota.current(policy.quota!, {
        service: "DynamoDB",
        operation: "unknown",
        scope: "adapter-test"
      }).pipe(
        Effect.provideService(StateStore.StateStore, store)
      )
      expect(tokens).toBe(95) // 100 − 5 − 5 for two throttling retries, then the last retry's 5 refunded on success
      yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 10 })
      const failure = yield* Effect.flip(
        Effect.tryPromise(() => client.send(new GetItemCommand({ TableName: "calls", Key: { pk: { S: "1" } } })))
      )
      const sdkError = (failure as { readonly error: unknown }).error as { name: string; $retries?: unknown }
      expect(sdkError.name).toBe("ProvisionedThroughputExceededException")
      expect(sdkError.$retries).toMatchObject({ attempts: 4, stopReason: "maxAttempts", policy: "fast" })
      // Plain milliseconds for readers outside Effect: no Duration objects.
      const summary = sdkError.$retries as { readonly totalDelayMs: unknown; readonly elapsedMs: unknown }
      expect(typeof summary.totalDelayMs).toBe("number")
      expect(typeof summary.elapsedMs).toBe("number")
      expect(summary.totalDelayMs).toBeGreaterThan(0)
      expect(JSON.stringify(sdkError.$retries)).not.toContain("Duration")
      expect(Object.values(sdkError.$retries as object).every((v) => typeof v === "number" || typeof v === "string"))
        .toBe(true)
      expect((yield* Ref.get(events)).filter((t) => t === "RetryScheduled").length).toBe(5)
      client.destroy()
    }))
})

/** A port nothing listens on. */
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

describe("failures that prove nothing was sent", () => {
  it.live("a refused connection is retried even for a non-idempotent Lambda invoke", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const error = yield* Effect.flip(
        Effect.flatMap(Lambda.Lambda, (lambda) => lambda.invoke({ FunctionName: "f" })).pipe(
          Effect.provide(Lambda.layer({
            region: "us-east-1",
            endpoint: `http://127.0.0.1:${port}`,
            credentials: { accessKeyId: "x", secretAccessKey: "x" },
            policy: fast
          }))
        )
      )
      expect(error).toMatchObject({
        _tag: "TransientError",
        code: "ECONNREFUSED",
        ambiguous: false,
        retries: { attempts: 4, stopReason: "maxAttempts" }
      })
    }))
})

describe("idempotency tokens", () => {
  it.effect("are pinned before the first attempt and reused by every retry", () =>
    Effect.gen(function*() {
      const seen: Array<string | undefined> = []
      // A stub of `send` observes only the mapping: what the shell hands the client on each attempt.
      const client: AwsCall.SdkClient = {
        send: ((command: TransactWriteItemsCommand) => {
          seen.push(command.input.ClientRequestToken)
          return seen.length < 3 ?
            Promise.reject(Object.assign(new Error("read ECONNRESET"), { name: "TimeoutError", code: "ECONNRESET" })) :
            Promise.resolve({ $metadata: {} })
        }) as never
      }
      const input: TransactWriteItemsCommandInput = {
        TransactItems: [{ Put: { TableName: "orders", Item: { pk: { S: "1" } } } }]
      }
      yield* AwsCall.send(
        { name: "DynamoDB", client, policy: RetryPolicy.make({ name: "zero", base: 0, throttling: { base: 0 } }) },
        new TransactWriteItemsCommand(input)
      )
      expect(seen).toHaveLength(3)
      expect(new Set(seen).size).toBe(1)
      expect(seen[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(input.ClientRequestToken).toBeUndefined() // the caller's input is not mutated
      // With a token, an ambiguous failure may be retried: DynamoDB applies the transaction once.
      expect(Idempotency.isIdempotent("DynamoDB", "TransactWriteItems", input)).toBe(false)
      expect(Idempotency.isIdempotent("DynamoDB", "TransactWriteItems", { ...input, ClientRequestToken: seen[0] }))
        .toBe(true)
    }))
})

describe("Idempotency table", () => {
  it("reads, puts and deletes repeat safely; increments, appends and invocations do not", () => {
    const cases: ReadonlyArray<[string, string, unknown, boolean]> = [
      ["DynamoDB", "GetItem", {}, true],
      ["DynamoDB", "PutItem", {}, true],
      ["DynamoDB", "DeleteItem", {}, true],
      ["DynamoDB", "BatchWriteItem", {}, true],
      ["DynamoDB", "UpdateItem", { UpdateExpression: "SET #s = :s, updatedAt = :t" }, true],
      ["DynamoDB", "UpdateItem", { UpdateExpression: "SET #s = if_not_exists(#s, :zero)" }, true],
      ["DynamoDB", "UpdateItem", { UpdateExpression: "REMOVE tmp" }, true],
      ["DynamoDB", "UpdateItem", { UpdateExpression: "ADD visits :one" }, false],
      ["DynamoDB", "UpdateItem", { UpdateExpression: "SET visits = visits + :one" }, false],
      ["DynamoDB", "UpdateItem", { UpdateExpression: "SET log = list_append(log, :e)" }, false],
      ["DynamoDB", "UpdateItem", { AttributeUpdates: { visits: { Action: "ADD" } } }, false],
      ["DynamoDB", "ExecuteStatement", {}, false],
      ["S3", "PutObject", {}, true],
      ["S3", "UploadPart", {}, true],
      ["S3", "CreateMultipartUpload", {}, false],
      ["Lambda", "Invoke", {}, false],
      ["Lambda", "Invoke", { InvocationType: "Event" }, false],
      ["Lambda", "Invoke", { InvocationType: "DryRun" }, true],
      ["SQS", "ListQueues", {}, true],
      ["SQS", "SendMessage", {}, false]
    ]
    for (const [service, operation, input, expected] of cases) {
      expect(Idempotency.isIdempotent(service, operation, input), `${service}.${operation} ${JSON.stringify(input)}`)
        .toBe(expected)
    }
  })

  it("derives the operation and the resource of a command", () => {
    expect(AwsCall.operationOf(new GetItemCommand({ TableName: "t", Key: {} }))).toBe("GetItem")
    expect(AwsCall.resourceOf("DynamoDB", { RequestItems: { orders: [] } })).toBe("orders")
    expect(AwsCall.resourceOf("S3", { Bucket: "logs", Key: "2026/11/29/a.gz" })).toBe("logs/2026/")
    expect(AwsCall.resourceOf("Lambda", { FunctionName: "arn:aws:lambda:us-east-1:1:function:resize:prod" }))
      .toBe("resize")
  })
})
