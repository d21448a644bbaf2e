import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ReplicatedWriteConflictException,
  RequestLimitExceeded,
  ResourceNotFoundException as DynamoResourceNotFound,
  ThrottlingException as DynamoThrottling,
  TransactionConflictException
} from "@aws-sdk/client-dynamodb"
import {
  EC2ThrottledException,
  InvalidSubnetIDException,
  KMSAccessDeniedException,
  ServiceException as LambdaServiceException,
  TooManyRequestsException
} from "@aws-sdk/client-lambda"
import { NoSuchKey, S3ServiceException } from "@aws-sdk/client-s3"
import { describe, expect, it } from "@effect/vitest"
import { AwsError } from "@rebound/aws"
import { Duration } from "effect"

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
    name: "TransactionConflictException: conflict (no SDK retries it)",
    error: new TransactionConflictException({ message: "m", $metadata: meta(400) }),
    expected: { _tag: "FatalError", reason: "conflict" }
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
      expect(failure.cause).toBe(row.error)
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
