import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ReplicatedWriteConflictException,
  RequestLimitExceeded,
  ResourceNotFoundException as DynamoResourceNotFound,
  ThrottlingException as DynamoThrottling,
  TransactionCanceledException,
  TransactionConflictException
} from "@aws-sdk/client-dynamodb"
import {
  EC2ThrottledException,
  EFSMountTimeoutException,
  ENINotReadyException,
  InvalidSubnetIDException,
  KMSAccessDeniedException,
  ResourceConflictException,
  ResourceNotReadyException,
  ServiceException as LambdaServiceException,
  TooManyRequestsException
} from "@aws-sdk/client-lambda"
import { NoSuchKey, S3ServiceException } from "@aws-sdk/client-s3"
import { describe, expect, it } from "@effect/vitest"
import { AwsError, Idempotency } from "@rebound/aws"
import { CallError, Presets, RetryAsync } from "@rebound/core"
import { Duration, ManagedRuntime, TestClock, TestContext } from "effect"

const meta = (httpStatusCode: number, requestId = "REQ") => ({ httpStatusCode, requestId })
const nodeError = (code: string, message = code) => Object.assign(new Error(message), { code })
const timeout = (code: string, message: string) => Object.assign(new Error(message), { name: "TimeoutError", code })

interface Row {
  readonly name: string
  readonly error: unknown
  readonly service?: string
  readonly expected: {
    readonly _tag: "ThrottlingError" | "TransientError" | "FatalError"
    readonly code?: string
    readonly reason?: string
    readonly ambiguous?: boolean
    readonly retryAfterMillis?: number
    readonly throttleReason?: string
    readonly httpStatus?: number
  }
}

const rows: ReadonlyArray<Row> = [
  {
    name: "DynamoDB ProvisionedThroughputExceededException",
    error: new ProvisionedThroughputExceededException({ message: "m", $metadata: meta(400) }),
    expected: {
      _tag: "ThrottlingError",
      code: "ProvisionedThroughputExceededException",
      ambiguous: false,
      httpStatus: 400
    }
  },
  {
    name: "DynamoDB ThrottlingException keeps its reason and resource",
    error: Object.assign(new DynamoThrottling({ message: "m", $metadata: meta(400) }), {
      throttlingReasons: [{ reason: "TableReadKeyRangeThroughputExceeded", resource: "arn:table/orders" }]
    }),
    expected: {
      _tag: "ThrottlingError",
      code: "ThrottlingException",
      throttleReason: "TableReadKeyRangeThroughputExceeded"
    }
  },
  {
    name: "DynamoDB RequestLimitExceeded",
    error: new RequestLimitExceeded({ message: "m", $metadata: meta(400) }),
    expected: { _tag: "ThrottlingError", code: "RequestLimitExceeded" }
  },
  {
    name: "any 429",
    error: Object.assign(new Error("Too Many"), { name: "Unknown", $metadata: meta(429) }),
    expected: { _tag: "ThrottlingError", httpStatus: 429 }
  },
  {
    name: "S3 SlowDown (503) keeps its code",
    error: new S3ServiceException({
      name: "SlowDown",
      $fault: "server",
      message: "Please reduce",
      $metadata: meta(503)
    }),
    service: "S3",
    expected: { _tag: "ThrottlingError", code: "SlowDown", httpStatus: 503 }
  },
  {
    name: "Lambda TooManyRequestsException keeps Reason and Retry-After",
    error: new TooManyRequestsException({
      message: "Rate Exceeded.",
      $metadata: meta(429),
      Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      retryAfterSeconds: "2"
    }),
    service: "Lambda",
    expected: {
      _tag: "ThrottlingError",
      throttleReason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      retryAfterMillis: 2000
    }
  },
  {
    name: "Lambda EC2ThrottledException (502) is throttling",
    error: new EC2ThrottledException({ message: "m", $metadata: meta(502) }),
    service: "Lambda",
    expected: { _tag: "ThrottlingError", code: "EC2ThrottledException" }
  },
  {
    name: "Lambda KMSAccessDeniedException (502) is a configuration error, not transient",
    error: new KMSAccessDeniedException({ message: "m", $metadata: meta(502) }),
    service: "Lambda",
    expected: { _tag: "FatalError", reason: "configuration", httpStatus: 502 }
  },
  {
    name: "Lambda InvalidSubnetIDException (502) is a configuration error",
    error: new InvalidSubnetIDException({ message: "m", $metadata: meta(502) }),
    service: "Lambda",
    expected: { _tag: "FatalError", reason: "configuration" }
  },
  {
    name: "Lambda ServiceException (500) may have run the function",
    error: new LambdaServiceException({ message: "m", $metadata: meta(500) }),
    service: "Lambda",
    expected: { _tag: "TransientError", reason: "server", ambiguous: true }
  },
  {
    name: "DynamoDB InternalServerError (500) is ambiguous",
    error: new InternalServerError({ message: "m", $metadata: meta(500) }),
    expected: { _tag: "TransientError", reason: "server", ambiguous: true }
  },
  {
    name: "a bare 503 was refused before processing",
    error: Object.assign(new Error("UnknownError"), { name: "Unknown", $metadata: meta(503) }),
    expected: { _tag: "TransientError", reason: "server", ambiguous: false }
  },
  {
    name: "a 503 with an HTML body (a load balancer page the SDK cannot parse)",
    error: Object.assign(new SyntaxError("Unexpected token '<', \"<html>\" is not valid JSON"), {
      $metadata: meta(503),
      $response: { statusCode: 503, headers: { "content-type": "text/html" } }
    }),
    expected: { _tag: "TransientError", reason: "server", ambiguous: false, httpStatus: 503 }
  },
  {
    name: "DynamoDB ReplicatedWriteConflictException ($retryable) was not applied",
    error: new ReplicatedWriteConflictException({ message: "m", $metadata: meta(409) }),
    expected: { _tag: "TransientError", ambiguous: false }
  },
  {
    name: "connection refused: nothing was sent",
    error: nodeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"),
    expected: { _tag: "TransientError", code: "ECONNREFUSED", reason: "network", ambiguous: false }
  },
  {
    name: "DNS failure ENOTFOUND: nothing was sent",
    error: nodeError("ENOTFOUND"),
    expected: { _tag: "TransientError", reason: "network", ambiguous: false }
  },
  {
    name: "DNS failure EAI_AGAIN: nothing was sent",
    error: nodeError("EAI_AGAIN"),
    expected: { _tag: "TransientError", reason: "network", ambiguous: false }
  },
  {
    name: "a reset (the SDK names it TimeoutError): it may have run",
    error: timeout("ECONNRESET", "read ECONNRESET"),
    expected: { _tag: "TransientError", code: "ECONNRESET", reason: "network", ambiguous: true }
  },
  {
    name: "EPIPE: it may have run",
    error: nodeError("EPIPE"),
    expected: { _tag: "TransientError", reason: "network", ambiguous: true }
  },
  {
    name: "a request timeout (throwOnRequestTimeout): it may have run",
    error: timeout(
      "ETIMEDOUT",
      "@smithy/node-http-handler - [ERROR] a request has exceeded the configured 300 ms requestTimeout."
    ),
    expected: { _tag: "TransientError", reason: "timeout", ambiguous: true }
  },
  {
    name: "a connect timeout: nothing was sent",
    error: Object.assign(
      new Error(
        "@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms."
      ),
      { name: "TimeoutError" }
    ),
    expected: { _tag: "TransientError", reason: "timeout", ambiguous: false }
  },
  {
    name: "a network code deep in the cause chain",
    error: new Error("fetch failed", { cause: new Error("wrapped", { cause: nodeError("ECONNREFUSED") }) }),
    expected: { _tag: "TransientError", code: "ECONNREFUSED", ambiguous: false }
  },
  {
    name: "S3 RequestTimeout (400, an idle upload socket): nothing stored",
    error: new S3ServiceException({ name: "RequestTimeout", $fault: "client", message: "m", $metadata: meta(400) }),
    service: "S3",
    expected: { _tag: "TransientError", reason: "timeout", ambiguous: false }
  },
  {
    name: "S3 RequestTimeTooSkewed: clock skew",
    error: new S3ServiceException({
      name: "RequestTimeTooSkewed",
      $fault: "client",
      message: "m",
      $metadata: meta(403)
    }),
    service: "S3",
    expected: { _tag: "TransientError", reason: "clockSkew", ambiguous: false }
  },
  {
    name: "an expired signature: clock skew",
    error: Object.assign(new Error("Signature expired: 20261129T000000Z is now earlier than …"), {
      name: "InvalidSignatureException",
      $metadata: meta(400)
    }),
    expected: { _tag: "TransientError", reason: "clockSkew" }
  },
  {
    name: "AbortError: cancelled",
    error: Object.assign(new Error("Request aborted"), { name: "AbortError" }),
    expected: { _tag: "FatalError", reason: "aborted" }
  },
  {
    name: "AccessDeniedException: auth",
    error: Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: meta(400) }),
    expected: { _tag: "FatalError", reason: "auth" }
  },
  {
    name: "S3 NoSuchKey: not found",
    error: new NoSuchKey({ message: "m", $metadata: meta(404) }),
    service: "S3",
    expected: { _tag: "FatalError", code: "NoSuchKey", reason: "notFound" }
  },
  {
    name: "DynamoDB ResourceNotFoundException: not found",
    error: new DynamoResourceNotFound({ message: "m", $metadata: meta(400) }),
    expected: { _tag: "FatalError", reason: "notFound" }
  },
  {
    name: "ConditionalCheckFailedException: conflict",
    error: new ConditionalCheckFailedException({ message: "m", $metadata: meta(400) }),
    expected: { _tag: "FatalError", reason: "conflict" }
  },
  {
    name: "TransactionConflictException: refused because of a transaction in progress, retried (no SDK does)",
    error: new TransactionConflictException({ message: "m", $metadata: meta(400) }),
    expected: { _tag: "TransientError", reason: "conflict", ambiguous: false }
  },
  {
    name: "ValidationException: client",
    error: Object.assign(new Error("1 validation error"), { name: "ValidationException", $metadata: meta(400) }),
    expected: { _tag: "FatalError", reason: "client" }
  },
  {
    name: "x-amz-retry-after (milliseconds) on a throttle",
    error: Object.assign(new Error("slow"), {
      name: "ThrottlingException",
      $metadata: meta(400),
      $response: { statusCode: 400, headers: { "x-amz-retry-after": "1500" } }
    }),
    expected: { _tag: "ThrottlingError", retryAfterMillis: 1500 }
  },
  {
    name: "Retry-After as an HTTP date",
    error: Object.assign(new Error("slow"), {
      name: "Unknown",
      $metadata: meta(429),
      $response: { statusCode: 429, headers: { "Retry-After": "Sun, 29 Nov 2026 06:00:05 GMT" } }
    }),
    expected: { _tag: "ThrottlingError", retryAfterMillis: 5000 }
  }
]

describe("AwsError.classify", () => {
  const now = Date.parse("Sun, 29 Nov 2026 06:00:00 GMT")
  for (const row of rows) {
    it(row.name, () => {
      const failure = AwsError.classify(row.error, {
        service: row.service ?? "DynamoDB",
        operation: "Op",
        nowMillis: now
      })
      const { retryAfterMillis, ...rest } = row.expected
      expect(failure).toMatchObject(rest)
      if (retryAfterMillis !== undefined) expect(failure.retryAfter).toEqual(Duration.millis(retryAfterMillis))
      expect(AwsError.sdkErrorOf(failure)).toBe(row.error)
      expect((failure.cause as Error).name).toBe((row.error as Error).name)
      expect(failure.service).toBe(row.service ?? "DynamoDB")
    })
  }

  it("keeps the request id and S3's extended request id", () => {
    const failure = AwsError.classify(
      new S3ServiceException({
        name: "InternalError",
        $fault: "server",
        message: "m",
        $metadata: { httpStatusCode: 500, requestId: "R1", extendedRequestId: "X2" }
      }),
      { service: "S3", operation: "PutObject" }
    )
    expect([failure.requestId, failure.extendedRequestId]).toEqual(["R1", "X2"])
  })

  it("lets the caller declare codes per service and per operation", () => {
    const error = Object.assign(new Error("busy"), { name: "BusyException", $metadata: meta(400) })
    expect(AwsError.classify(error, { service: "S3", operation: "GetObject" })._tag).toBe("FatalError")
    expect(
      AwsError.classify(error, { service: "S3", operation: "GetObject" }, { codes: { BusyException: "throttling" } })
        ._tag
    )
      .toBe("ThrottlingError")
    const perOperation = { operations: { "S3.GetObject": { BusyException: "transient" as const } } }
    expect(AwsError.classify(error, { service: "S3", operation: "GetObject" }, perOperation)._tag).toBe(
      "TransientError"
    )
    expect(AwsError.classify(error, { service: "S3", operation: "PutObject" }, perOperation)._tag).toBe("FatalError")
  })

  it("copies nothing else from the SDK error: no payload reaches the failure's fields", () => {
    const error = Object.assign(new Error("m"), {
      name: "ThrottlingException",
      $metadata: meta(400),
      $response: { statusCode: 400, headers: {}, body: "PAYLOAD" },
      credentials: { secretAccessKey: "SECRET" }
    })
    const failure = AwsError.classify(error, { service: "DynamoDB", operation: "PutItem" })
    const own = JSON.stringify(failure)
    expect(own).not.toContain("PAYLOAD")
    expect(own).not.toContain("SECRET")
  })
})

describe("AwsError.classify: anything thrown, any clock, any spelling", () => {
  it("classifies undefined, null and a number as a fatal failure instead of throwing", () => {
    for (const thrown of [undefined, null, 42, "boom"]) {
      const failure = AwsError.classify(thrown, { service: "S3", operation: "GetObject" })
      expect(failure).toMatchObject({ _tag: "FatalError", reason: "unknown", code: "NonError", service: "S3" })
      expect(failure.cause).toBeUndefined() // a thrown string or number may be a payload
    }
  })

  it("a retryAsync whose promise rejects with undefined rejects with the typed failure, not a TypeError", async () => {
    let calls = 0
    const error = await RetryAsync.retryAsync(
      () => {
        calls++
        return Promise.reject(undefined)
      },
      Presets.awsJs2026,
      { classify: AwsError.classifier({ service: "S3", operation: "ListBuckets" }), idempotent: true }
    ).then(() => "resolved", (e: unknown) => e)
    expect(error).toBeInstanceOf(CallError.FatalError)
    expect(error).toMatchObject({ code: "NonError", retries: { attempts: 1, stopReason: "notRetryable" } })
    expect(calls).toBe(1)
  })

  const throttledUntil = (date: Date) =>
    Object.assign(new Error("slow"), {
      name: "Unknown",
      $metadata: meta(429),
      $response: { statusCode: 429, headers: { "retry-after": date.toUTCString() } }
    })

  it("a classifier given no clock measures an HTTP-date Retry-After from now, not from 1970", () => {
    // An HTTP date has whole seconds: 5 s ahead is between 4 and 5 s away.
    const ahead = new Date(Date.now() + 5_000)
    for (
      const failure of [
        AwsError.classifier({ service: "S3", operation: "ListBuckets" })(throttledUntil(ahead)),
        AwsError.classify(throttledUntil(ahead), { service: "S3", operation: "ListBuckets" })
      ]
    ) {
      const millis = Duration.toMillis(failure.retryAfter!)
      expect(millis).toBeGreaterThan(3_000)
      expect(millis).toBeLessThanOrEqual(5_000)
    }
    expect(Duration.toMillis(AwsError.retryAfterOf(throttledUntil(ahead))!)).toBeLessThanOrEqual(5_000)
  })

  it("retryAsync hands the classifier its runtime's time, so a TestClock runtime measures from the test's now", async () => {
    const managed = ManagedRuntime.make(TestContext.TestContext)
    const now = Date.parse("Sun, 29 Nov 2026 06:00:00 GMT")
    await managed.runPromise(TestClock.setTime(now))
    const error = await RetryAsync.retryAsync(
      () => Promise.reject(throttledUntil(new Date(now + 5_000))),
      Presets.none,
      { classify: AwsError.classifier({ service: "S3", operation: "ListBuckets" }), runtime: await managed.runtime() }
    ).then(() => undefined, (e: unknown) => e as CallError.CallError)
    expect(error?.retryAfter).toEqual(Duration.millis(5_000))
    await managed.dispose()
  })

  it("the service name is normalised: \"lambda\" and \"Lambda\" classify a 503 the same", () => {
    const error = () => new LambdaServiceException({ message: "m", $metadata: meta(503) })
    const spellings = ["Lambda", "lambda", "LAMBDA"].map((service) =>
      AwsError.classify(error(), { service, operation: "Invoke" })
    )
    for (const failure of spellings) {
      expect(failure).toMatchObject({ _tag: "TransientError", ambiguous: true, service: "Lambda" })
    }
    expect(AwsError.serviceName("dynamodb")).toBe("DynamoDB")
    expect(AwsError.serviceName("SQS")).toBe("SQS")
    expect(Idempotency.isIdempotent("dynamodb", "PutItem", {})).toBe(true)
    expect(Idempotency.isIdempotent("lambda", "Invoke", { InvocationType: "DryRun" })).toBe(true)
  })

  it("a Lambda 503 answered by a load balancer's HTML page may follow a run of the function: ambiguous", () => {
    const page = Object.assign(new SyntaxError("Unexpected token '<', \"<html>\" is not valid JSON"), {
      $metadata: meta(503),
      $response: { statusCode: 503, headers: { "content-type": "text/html" } }
    })
    expect(AwsError.classify(page, { service: "Lambda", operation: "Invoke" })).toMatchObject({
      _tag: "TransientError",
      ambiguous: true
    })
    // Elsewhere a 503 page is a refusal, as before.
    expect(AwsError.classify(page, { service: "DynamoDB", operation: "GetItem" })).toMatchObject({ ambiguous: false })
  })
})

describe("AwsError.classify: retryable per AWS", () => {
  const lambda = (error: unknown) => AwsError.classify(error, { service: "Lambda", operation: "Invoke" })
  const dynamodb = (error: unknown) =>
    AwsError.classify(error, { service: "DynamoDB", operation: "TransactWriteItems" })

  it("Lambda ENINotReadyException and ResourceNotReadyException (502): the function did not run", () => {
    for (
      const error of [
        new ENINotReadyException({ message: "ENI not ready", $metadata: meta(502) }),
        new ResourceNotReadyException({ message: "inactive", $metadata: meta(502) })
      ]
    ) {
      expect(lambda(error)).toMatchObject({ _tag: "TransientError", reason: "notReady", ambiguous: false })
    }
  })

  it("Lambda ResourceConflictException (409): an update in progress or a Pending function is retried; 'already exists' is fatal", () => {
    const conflict = (message: string) => new ResourceConflictException({ message, $metadata: meta(409) })
    expect(
      lambda(conflict(
        "The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:1:function:f"
      ))
    ).toMatchObject({ _tag: "TransientError", reason: "notReady", ambiguous: false })
    expect(
      lambda(
        conflict(
          "The operation cannot be performed at this time. The function is currently in the following state: Pending"
        )
      )
    ).toMatchObject({ _tag: "TransientError", ambiguous: false })
    expect(lambda(conflict("Function already exist: f"))).toMatchObject({ _tag: "FatalError", reason: "conflict" })
    expect(lambda(conflict("The statement id (s1) provided already exists."))).toMatchObject({ _tag: "FatalError" })
  })

  it("Lambda EFSMountTimeoutException (408): the file system did not mount, the function did not run", () => {
    expect(lambda(new EFSMountTimeoutException({ message: "mount timed out", $metadata: meta(408) }))).toMatchObject({
      _tag: "TransientError",
      reason: "timeout",
      ambiguous: false
    })
  })

  it("DynamoDB TransactionCanceledException is judged by its cancellation reasons", () => {
    const cancelled = (...codes: ReadonlyArray<string>) =>
      new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
        $metadata: meta(400),
        CancellationReasons: codes.map((Code) => ({ Code }))
      })
    expect(dynamodb(cancelled("None", "TransactionConflict"))).toMatchObject({
      _tag: "TransientError",
      reason: "conflict",
      ambiguous: false
    })
    expect(dynamodb(cancelled("ThrottlingError", "None"))).toMatchObject({
      _tag: "ThrottlingError",
      throttleReason: "ThrottlingError"
    })
    expect(dynamodb(cancelled("TransactionConflict", "ProvisionedThroughputExceeded"))._tag).toBe("ThrottlingError")
    expect(dynamodb(cancelled("ConditionalCheckFailed", "TransactionConflict"))).toMatchObject({
      _tag: "FatalError",
      reason: "conflict"
    })
    expect(dynamodb(cancelled("ThrottlingError", "ValidationError"))._tag).toBe("FatalError")
    expect(dynamodb(cancelled("None"))._tag).toBe("FatalError")
    // Without the modeled member, the reasons in the message decide.
    const bare = new TransactionCanceledException({
      message:
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
      $metadata: meta(400)
    })
    expect(dynamodb(bare)._tag).toBe("TransientError")
  })
})

describe("AwsError.Rules", () => {
  const busy = (status: number, message = "busy") =>
    Object.assign(new Error(message), { name: "BusyException", $metadata: meta(status) })
  const context = { service: "S3", operation: "GetObject" }

  it("a 4xx declared transient is a refusal, not ambiguous, unless the rule says so", () => {
    expect(AwsError.classify(busy(400), context, { codes: { BusyException: "transient" } })).toMatchObject({
      _tag: "TransientError",
      ambiguous: false
    })
    expect(
      AwsError.classify(busy(400), context, { codes: { BusyException: { class: "transient", ambiguous: true } } })
    ).toMatchObject({ _tag: "TransientError", ambiguous: true })
    // A 5xx keeps the built-in judgement: a 500 may have run, a 503 did not.
    expect(AwsError.classify(busy(500), context, { codes: { BusyException: "transient" } }).ambiguous).toBe(true)
    expect(AwsError.classify(busy(503), context, { codes: { BusyException: "transient" } }).ambiguous).toBe(false)
  })

  it("a rule applies only when its predicate holds; rules are tried in order, then the next level, then the built-in rules", () => {
    const rules: AwsError.Rules = {
      codes: { BusyException: { class: "throttling", when: (e) => e.httpStatus === 400 } },
      operations: {
        "S3.GetObject": {
          BusyException: [
            { class: "fatal", when: (e) => /forever/.test(e.message ?? "") },
            { class: "transient", ambiguous: false, when: (e) => /in progress/.test(e.message ?? "") }
          ]
        }
      }
    }
    expect(AwsError.classify(busy(400, "busy forever"), context, rules)._tag).toBe("FatalError")
    expect(AwsError.classify(busy(400, "update in progress"), context, rules)).toMatchObject({
      _tag: "TransientError",
      ambiguous: false
    })
    expect(AwsError.classify(busy(400, "busy"), context, rules)._tag).toBe("ThrottlingError")
    expect(AwsError.classify(busy(409, "busy"), context, rules)).toMatchObject({
      _tag: "FatalError",
      reason: "conflict"
    })
    // The predicate sees the canonical service, the code, the status, the message and the error.
    const seen: Array<AwsError.RuleInput> = []
    const error = busy(429)
    AwsError.classify(error, { service: "s3", operation: "GetObject" }, {
      codes: { BusyException: { class: "fatal", when: (e) => seen.push(e) === 0 } }
    })
    expect(seen).toEqual([{
      service: "S3",
      operation: "GetObject",
      code: "BusyException",
      httpStatus: 429,
      message: "busy",
      error
    }])
  })

  it("a rule expresses what AWS documents without waiting for a release: Lambda's busy conflict", () => {
    const error = new ResourceConflictException({ message: "An update is in progress", $metadata: meta(409) })
    const failure = AwsError.classify(error, { service: "Lambda", operation: "UpdateFunctionCode" }, {
      codes: {
        ResourceConflictException: { class: "transient", when: (e) => /in progress/.test(e.message ?? "") }
      }
    })
    expect(failure).toMatchObject({ _tag: "TransientError", ambiguous: false })
  })
})
