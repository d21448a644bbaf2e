/**
 * One function from any error the AWS SDK for JavaScript v3 can throw to rebound's typed failures.
 *
 * Built on the SDK's own predicates (`isThrottlingError`, `isTransientError`, `isServerError`,
 * `isClockSkewCorrectedError` from `@smithy/core/retry`) and extended where they fall short:
 *
 * - **throttling**: HTTP 429, the SDK's throttling codes (S3 `SlowDown`, DynamoDB
 *   `ProvisionedThroughputExceededException` / `ThrottlingException` / `RequestLimitExceeded`, Lambda
 *   `TooManyRequestsException` …), `$retryable.throttling`; Lambda's `Reason` and DynamoDB's `ThrottlingReasons`
 *   (reason and resource) are kept. Never ambiguous.
 * - **transient**, with `ambiguous` set honestly: connection refused and DNS failures (`ECONNREFUSED`, `ENOTFOUND`,
 *   `EAI_AGAIN`, …) and connect timeouts are not ambiguous — nothing was sent; resets (`ECONNRESET`, `EPIPE`), response
 *   timeouts and 500/502/504 are; a 503 (including a load balancer's HTML page the SDK cannot parse) is not. Clock skew
 *   (`RequestTimeTooSkewed`, `RequestExpired`, an expired signature, or the SDK's own skew correction) has reason
 *   `clockSkew`. The `cause` chain is searched up to depth 10.
 * - **fatal**: aborts; Lambda's 502 configuration errors (`KMS*`, `InvalidSubnetIDException`,
 *   `InvalidZipFileException`, …) which the SDKs retry only because of their status; auth failures; not found;
 *   conflicts (`ConditionalCheckFailedException`, `TransactionConflictException`, …); other 4xx.
 * - `retryAfter` from `x-amz-retry-after` (ms), `Retry-After` (seconds or an HTTP date) and Lambda's
 *   `retryAfterSeconds`; `code`, HTTP status, request id and S3's extended request id are kept; the original error is
 *   the `cause`, and nothing else is copied from it.
 *
 * @since 0.1.0
 */
import type { CallError } from "@rebound/core"
import type * as Duration from "effect/Duration"
import * as internal from "./internal/classify.js"

/**
 * The three kinds of failure a code can be declared: throttling, transient or fatal.
 *
 * @since 0.1.0
 * @category models
 */
export type FailureClass = CallError.FailureClass

/**
 * What the classifier needs to know about the call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context {
  readonly service: string
  readonly operation: string
  readonly resource?: string | undefined
  /** The current time (from `Clock`), to turn an HTTP-date `Retry-After` into a duration. */
  readonly nowMillis?: number | undefined
}

/**
 * Codes the caller declares throttling, transient or fatal — for all operations (`codes`), or per operation
 * (`operations`, keyed `"GetItem"` or `"DynamoDB.GetItem"`). Declarations win over the built-in rules.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rules {
  readonly codes?: Readonly<Record<string, FailureClass>> | undefined
  readonly operations?: Readonly<Record<string, Readonly<Record<string, FailureClass>>>> | undefined
}

/**
 * Classifies an error thrown by an AWS SDK client.
 *
 * @example
 * ```ts
 * import { AwsError } from "@rebound/aws"
 * import { ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb"
 *
 * const failure = AwsError.classify(
 *   new ProvisionedThroughputExceededException({ message: "slow down", $metadata: { httpStatusCode: 400 } }),
 *   { service: "DynamoDB", operation: "GetItem" }
 * )
 * console.log(failure._tag) // "ThrottlingError"
 * ```
 *
 * @since 0.1.0
 * @category classification
 */
export const classify: (error: unknown, context: Context, rules?: Rules) => CallError.CallError = internal.classify

/**
 * A classifier bound to a service and rules, in the shape `RetryAsync.retryAsync` takes.
 *
 * @example
 * ```ts
 * import { AwsError } from "@rebound/aws"
 * import { Presets, RetryAsync } from "@rebound/core"
 * import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3"
 *
 * const s3 = new S3Client({ maxAttempts: 1 })
 * const buckets = () =>
 *   RetryAsync.retryAsync(({ signal }) => s3.send(new ListBucketsCommand({}), { abortSignal: signal }), Presets.awsJs2026, {
 *     classify: AwsError.classifier({ service: "S3", operation: "ListBuckets" }),
 *     idempotent: true
 *   })
 * ```
 *
 * @since 0.1.0
 * @category classification
 */
export const classifier = (context: Context, rules?: Rules) => (error: unknown): CallError.CallError =>
  internal.classify(error, context, rules)

/**
 * The service's hint of how long to wait, if it sent one.
 *
 * @example
 * ```ts
 * import { AwsError } from "@rebound/aws"
 * import { Duration } from "effect"
 *
 * // Lambda's 429 carries its hint in the body:
 * const throttled = { name: "TooManyRequestsException", retryAfterSeconds: "2" }
 * const hint = AwsError.retryAfterOf(throttled, 0)
 * console.log(hint === undefined ? "no hint" : Duration.toMillis(hint)) // 2000
 * ```
 *
 * @since 0.1.0
 * @category classification
 */
export const retryAfterOf: (error: unknown, nowMillis: number) => Duration.Duration | undefined = internal.retryAfterOf
