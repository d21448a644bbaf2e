// Every fault encoding, through the real SDK clients with maxAttempts 1: the error name, status and hints the SDK
// surfaces must be what it surfaces for the same failure from AWS (LOCAL-AWS-LAB.md §5.5).
import { BatchWriteItemCommand, GetItemCommand } from "@aws-sdk/client-dynamodb"
import { InvokeCommand } from "@aws-sdk/client-lambda"
import { GetObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3"
import { describe, expect, layer } from "@effect/vitest"
import { Fault, Lab } from "@rebound/aws/testing"
import { Effect } from "effect"
import { failure } from "./labCalls.js"
import { type Clients, clients, freshLab } from "./labClients.js"

type Call = "GetItem" | "GetObject" | "HeadObject" | "Invoke"

interface Case {
  readonly label: string
  readonly call: Call
  readonly fault: Fault.Fault
  readonly name: string
  readonly status: number | undefined
  readonly code?: string
  readonly $fault?: "client" | "server"
  readonly reason?: string
  readonly retryAfterSeconds?: string
  readonly headers?: Readonly<Record<string, string>>
}

const service: Record<Call, Fault.Service> = {
  GetItem: "dynamodb",
  GetObject: "s3",
  HeadObject: "s3",
  Invoke: "lambda"
}

const send = (c: Clients, call: Call) => (abortSignal: AbortSignal): Promise<unknown> => {
  switch (call) {
    case "GetItem":
      return c.dynamodb.send(new GetItemCommand({ TableName: "faults", Key: { pk: { S: "1" } } }), { abortSignal })
    case "GetObject":
      return c.s3.send(new GetObjectCommand({ Bucket: "lab-faults", Key: "k" }), { abortSignal })
    case "HeadObject":
      return c.s3.send(new HeadObjectCommand({ Bucket: "lab-faults", Key: "k" }), { abortSignal })
    case "Invoke":
      return c.lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: "{}" }), { abortSignal })
  }
}

const hints = { retryAfter: "2 seconds", amzRetryAfter: "1500 millis" } as const
const hintHeaders = { "retry-after": "2", "x-amz-retry-after": "1500" }
const reset = { name: "TimeoutError", status: undefined, code: "ECONNRESET" } as const
const stalled = { name: "TimeoutError", status: undefined, code: "ETIMEDOUT" } as const

const cases: ReadonlyArray<Case> = [
  // DynamoDB, awsJson1.0
  {
    label: "DynamoDB throttle",
    call: "GetItem",
    fault: Fault.throttle(),
    name: "ProvisionedThroughputExceededException",
    status: 400,
    $fault: "client"
  },
  {
    label: "DynamoDB ThrottlingException",
    call: "GetItem",
    fault: Fault.throttle({ code: "ThrottlingException" }),
    name: "ThrottlingException",
    status: 400,
    $fault: "client"
  },
  {
    label: "DynamoDB RequestLimitExceeded",
    call: "GetItem",
    fault: Fault.throttle({ code: "RequestLimitExceeded" }),
    name: "RequestLimitExceeded",
    status: 400
  },
  {
    label: "DynamoDB throttle with retry hints",
    call: "GetItem",
    fault: Fault.throttle(hints),
    name: "ProvisionedThroughputExceededException",
    status: 400,
    headers: hintHeaders
  },
  {
    label: "DynamoDB 500",
    call: "GetItem",
    fault: Fault.serverError(500),
    name: "InternalServerError",
    status: 500,
    $fault: "server"
  },
  { label: "DynamoDB 502", call: "GetItem", fault: Fault.serverError(502), name: "ServiceUnavailable", status: 502 },
  {
    label: "DynamoDB 503",
    call: "GetItem",
    fault: Fault.serverError(503, hints),
    name: "ServiceUnavailable",
    status: 503,
    headers: hintHeaders
  },
  { label: "DynamoDB 504", call: "GetItem", fault: Fault.serverError(504), name: "ServiceUnavailable", status: 504 },
  // An HTML page is not awsJson1.0: the SDK fails to parse it and keeps only the status.
  { label: "DynamoDB 503 HTML page", call: "GetItem", fault: Fault.htmlPage(), name: "SyntaxError", status: 503 },
  { label: "DynamoDB reset before forward", call: "GetItem", fault: Fault.resetBeforeForward, ...reset },
  { label: "DynamoDB stall", call: "GetItem", fault: Fault.stall, ...stalled },
  // S3, restXml
  {
    label: "S3 throttle",
    call: "GetObject",
    fault: Fault.throttle(hints),
    name: "SlowDown",
    status: 503,
    $fault: "server",
    headers: hintHeaders
  },
  { label: "S3 500", call: "GetObject", fault: Fault.serverError(500), name: "InternalError", status: 500 },
  { label: "S3 503", call: "GetObject", fault: Fault.serverError(503), name: "ServiceUnavailable", status: 503 },
  { label: "S3 504", call: "GetObject", fault: Fault.serverError(504), name: "ServiceUnavailable", status: 504 },
  // HEAD answers carry no body, so the SDK cannot know the code (as with real S3).
  { label: "S3 HEAD throttle", call: "HeadObject", fault: Fault.throttle(), name: "Unknown", status: 503 },
  { label: "S3 503 HTML page", call: "GetObject", fault: Fault.htmlPage(), name: "Unknown", status: 503 },
  { label: "S3 reset before forward", call: "GetObject", fault: Fault.resetBeforeForward, ...reset },
  { label: "S3 stall", call: "GetObject", fault: Fault.stall, ...stalled },
  // Lambda, restJson1
  {
    label: "Lambda throttle",
    call: "Invoke",
    fault: Fault.throttle(),
    name: "TooManyRequestsException",
    status: 429,
    $fault: "client",
    reason: "ReservedFunctionConcurrentInvocationLimitExceeded"
  },
  {
    label: "Lambda throttle with a reason and retry hints",
    call: "Invoke",
    fault: Fault.throttle({ reason: "CallerRateLimitExceeded", ...hints }),
    name: "TooManyRequestsException",
    status: 429,
    reason: "CallerRateLimitExceeded",
    retryAfterSeconds: "2",
    headers: hintHeaders
  },
  {
    label: "Lambda 500",
    call: "Invoke",
    fault: Fault.serverError(500),
    name: "ServiceException",
    status: 500,
    $fault: "server"
  },
  {
    label: "Lambda 502 KMS",
    call: "Invoke",
    fault: Fault.serverError(502, { code: "KMSAccessDeniedException" }),
    name: "KMSAccessDeniedException",
    status: 502
  },
  {
    label: "Lambda 502 EC2 throttled",
    call: "Invoke",
    fault: Fault.serverError(502, { code: "EC2ThrottledException" }),
    name: "EC2ThrottledException",
    status: 502
  },
  { label: "Lambda 503", call: "Invoke", fault: Fault.serverError(503), name: "ServiceException", status: 503 },
  { label: "Lambda 503 HTML page", call: "Invoke", fault: Fault.htmlPage(), name: "SyntaxError", status: 503 },
  { label: "Lambda reset before forward", call: "Invoke", fault: Fault.resetBeforeForward, ...reset },
  { label: "Lambda stall", call: "Invoke", fault: Fault.stall, ...stalled }
]

layer(Lab.layer({ tables: ["faults"], buckets: ["lab-faults"], functions: { echo: (event) => event } }), {
  excludeTestServices: true
})("fault encodings through the real SDK clients", (it) => {
  it.scoped.each(cases)("$label", (c) =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      // A stall only ends by the client's own timeout; the others answer at once.
      const sdk = yield* clients(lab, c.fault._tag === "Stall" ? { timeoutMs: 200 } : {})
      yield* lab.push({ service: service[c.call], operation: c.call, fault: c.fault })

      const error = yield* failure(send(sdk, c.call))

      expect(error.name).toBe(c.name)
      expect(error.$metadata?.httpStatusCode).toBe(c.status)
      if (c.code !== undefined) expect(error.code).toBe(c.code)
      if (c.$fault !== undefined) expect(error.$fault).toBe(c.$fault)
      if (c.reason !== undefined) expect(error.Reason).toBe(c.reason)
      if (c.retryAfterSeconds !== undefined) expect(error.retryAfterSeconds).toBe(c.retryAfterSeconds)
      for (const [name, value] of Object.entries(c.headers ?? {})) expect(error.$response?.headers[name]).toBe(value)
      expect(yield* lab.pending).toEqual([])
      const log = yield* lab.log
      expect(log.map((entry) => [entry.service, entry.operation, entry.action, entry.source])).toEqual([
        [service[c.call], c.call, c.fault._tag, "script"]
      ])
      expect(log[0]?.upstreamStatus).toBeUndefined() // none of these faults reaches the server
    }))

  describe("a synthetic answer", () => {
    it.scoped("hands back partial batch results the SDK parses", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        const unprocessed = { faults: [{ PutRequest: { Item: { pk: { S: "k2" } } } }] }
        yield* lab.push({
          operation: "BatchWriteItem",
          fault: Fault.synthetic({ body: { UnprocessedItems: unprocessed } })
        })
        const result = yield* Effect.promise(() =>
          sdk.dynamodb.send(
            new BatchWriteItemCommand({
              RequestItems: { faults: ["k1", "k2"].map((pk) => ({ PutRequest: { Item: { pk: { S: pk } } } })) }
            })
          )
        )
        expect(result.UnprocessedItems).toEqual(unprocessed)
        expect(result.$metadata.httpStatusCode).toBe(200)
        const item = yield* Effect.promise(() =>
          sdk.dynamodb.send(new GetItemCommand({ TableName: "faults", Key: { pk: { S: "k1" } } }))
        )
        expect(item.Item).toBeUndefined() // the proxy answered; nothing reached the table
      }))
  })
})
