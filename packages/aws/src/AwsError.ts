/**
 * One function from any error the AWS SDK for JavaScript v3 can throw to rebound's typed failures. The whole table —
 * every code, its failure, whether it is ambiguous and retried, and the source — is in `docs/classification.md`.
 *
 * Built on the SDK's own predicates (`isThrottlingError`, `isTransientError`, `isServerError`,
 * `isClockSkewCorrectedError` from `@smithy/core/retry`) and extended where they fall short:
 *
 * - **throttling**: HTTP 429, the SDK's throttling codes (S3 `SlowDown`, DynamoDB
 *   `ProvisionedThroughputExceededException` / `ThrottlingException` / `RequestLimitExceeded`, Lambda
 *   `TooManyRequestsException` …), `$retryable.throttling`, a DynamoDB `TransactionCanceledException` cancelled for
 *   throughput; Lambda's `Reason` and DynamoDB's `ThrottlingReasons` (reason and resource) are kept. Never ambiguous.
 * - **transient**, with `ambiguous` set honestly: connection refused and DNS failures (`ECONNREFUSED`, `ENOTFOUND`,
 *   `EAI_AGAIN`, …) and connect timeouts are not ambiguous — nothing was sent; resets (`ECONNRESET`, `EPIPE`), response
 *   timeouts and 500/502/504 are; a 503 (including a load balancer's HTML page the SDK cannot parse) is not — except
 *   for Lambda, where every 5xx answer may follow a run of the function. Lambda's `ENINotReadyException`,
 *   `ResourceNotReadyException`, `EFSMountTimeoutException` and `ResourceConflictException` for an update in progress
 *   or a `Pending` function, and DynamoDB's `TransactionConflictException` and `TransactionCanceledException` cancelled
 *   for transaction conflicts are transient and not ambiguous: the request was refused before it ran. Clock skew
 *   (`RequestTimeTooSkewed`, `RequestExpired`, an expired signature, or the SDK's own skew correction) has reason
 *   `clockSkew`. The `cause` chain is searched up to depth 10.
 * - **fatal**: aborts; Lambda's 502 configuration errors (`KMS*`, `InvalidSubnetIDException`,
 *   `InvalidZipFileException`, …) which the SDKs retry only because of their status; auth failures; not found;
 *   conflicts (`ConditionalCheckFailedException`, a `TransactionCanceledException` with a failed condition, a
 *   resource that already exists, …); other 4xx; anything thrown that is not an object (`undefined`, a number).
 * - `retryAfter` from `x-amz-retry-after` (ms), `Retry-After` (seconds or an HTTP date) and Lambda's
 *   `retryAfterSeconds`; `code`, HTTP status, request id and S3's extended request id are kept. Nothing secret is
 *   kept where it can be rendered: the failure's `cause` is an {@link ErrorSummary} of the SDK's error, its `detail`
 *   (the service's message) has credentials scrubbed and is left out of `toJSON` and `util.inspect`, and the SDK's
 *   error itself is reachable only through {@link sdkErrorOf}.
 * - The service name is normalised: `"lambda"` and `"Lambda"` classify the same.
 *
 * @since 0.1.0
 */
import type { CallError } from "@rebound/core"
import type * as Duration from "effect/Duration"
import * as internal from "./internal/classify.js"
import { canonical } from "./internal/serviceName.js"

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
  /**
   * The service, e.g. `"DynamoDB"`. Case does not matter for the services rebound knows: `"lambda"` and `"Lambda"`
   * classify the same, and failures carry the canonical spelling (`"DynamoDB"`, `"S3"`, `"Lambda"`).
   */
  readonly service: string
  readonly operation: string
  readonly resource?: string | undefined
  /**
   * The current time (from `Clock`), to turn an HTTP-date `Retry-After` into a duration. Left out, the current time
   * is read from Effect's live clock.
   */
  readonly nowMillis?: number | undefined
}

/**
 * What a rule's predicate sees of an error: its code, HTTP status and message, and the error itself.
 *
 * @since 0.1.0
 * @category models
 */
export interface RuleInput {
  /** The canonical service name (`"Lambda"`, `"DynamoDB"`, `"S3"`, or as given for others). */
  readonly service: string
  readonly operation: string
  readonly code: string
  readonly httpStatus: number | undefined
  /** The service's message, when it sent one. */
  readonly message: string | undefined
  /** The error as the SDK threw it, to read modeled members such as `CancellationReasons`. */
  readonly error: unknown
}

/**
 * A declaration for one error code: its failure class, for transient failures whether the request may have run
 * (`ambiguous`), and optionally a predicate (`when`) that must hold for the rule to apply.
 *
 * Left out, `ambiguous` is `false` for a 4xx (the service refused the request, so it did not run) and otherwise what
 * the built-in rules say (a 5xx other than 503 and every Lambda 5xx may have run; so may a failure without an answer).
 *
 * @since 0.1.0
 * @category models
 */
export type Rule =
  | {
    readonly class: "transient"
    readonly ambiguous?: boolean | undefined
    readonly when?: ((error: RuleInput) => boolean) | undefined
  }
  | {
    readonly class: "throttling" | "fatal"
    readonly when?: ((error: RuleInput) => boolean) | undefined
  }

/**
 * What may be declared for a code: a failure class, a {@link Rule}, or several rules tried in order (the first whose
 * `when` holds applies; when none does, the next level — then the built-in rules — decide).
 *
 * @since 0.1.0
 * @category models
 */
export type RuleEntry = FailureClass | Rule | ReadonlyArray<FailureClass | Rule>

/**
 * Codes the caller declares throttling, transient or fatal — for all operations (`codes`), or per operation
 * (`operations`, keyed `"GetItem"` or `"DynamoDB.GetItem"`). Declarations win over the built-in rules; the most
 * specific level that has a matching rule applies (`Service.Operation`, then `Operation`, then `codes`).
 *
 * @example
 * ```ts
 * import type { AwsError } from "@rebound/aws"
 *
 * const rules: AwsError.Rules = {
 *   codes: {
 *     // A conflict that only means "busy, try again": retried, and the request did not run.
 *     ResourceConflictException: {
 *       class: "transient",
 *       ambiguous: false,
 *       when: (e) => /in progress/i.test(e.message ?? "")
 *     }
 *   },
 *   operations: { "S3.GetObject": { InternalError: { class: "transient", ambiguous: false } } }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Rules {
  readonly codes?: Readonly<Record<string, RuleEntry>> | undefined
  readonly operations?: Readonly<Record<string, Readonly<Record<string, RuleEntry>>>> | undefined
}

/**
 * What a classified failure keeps as its `cause`: a summary of the SDK's (or the network's) error that is safe to
 * render anywhere — its name, code, fault, metadata, stack frames and its own cause, summarised the same way. The
 * service's message is the failure's `detail` (credentials scrubbed); `$response`, request echoes and members such as
 * `AWSAccessKeyId`, `StringToSign` or `Token-0` stay out. The SDK's error itself: {@link sdkErrorOf}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorSummary extends Error {
  /** A Node error code (`ECONNRESET`), when there was one. */
  readonly code: string | undefined
  readonly $fault: string | undefined
  readonly $metadata:
    | {
      readonly httpStatusCode?: number
      readonly requestId?: string
      readonly extendedRequestId?: string
      readonly cfId?: string
      readonly attempts?: number
      readonly totalRetryDelay?: number
    }
    | undefined
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
 * A classifier bound to a service and rules, in the shape `RetryAsync.retryAsync` takes. `retryAsync` passes the time
 * of its runtime's clock; called on its own, it reads the current time (see {@link Context}).
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
export const classifier = (context: Context, rules?: Rules) =>
(
  error: unknown,
  at?: { readonly nowMillis?: number | undefined }
): CallError.CallError => internal.classify(error, { ...context, nowMillis: at?.nowMillis ?? context.nowMillis }, rules)

/**
 * The service's hint of how long to wait, if it sent one. An HTTP-date `Retry-After` is measured from `nowMillis`,
 * or from the current time when it is left out.
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
export const retryAfterOf: (error: unknown, nowMillis?: number) => Duration.Duration | undefined = internal.retryAfterOf

/**
 * The error the SDK threw, which a failure was classified from — for modeled members such as DynamoDB's
 * `CancellationReasons` or the `Item` of a `ConditionalCheckFailedException`. It is kept out of every rendering of the
 * failure (it can hold `$response`, echoed credentials and payloads), so log the failure, never this.
 *
 * @example
 * ```ts
 * import { AwsError } from "@rebound/aws"
 * import { TransactionCanceledException } from "@aws-sdk/client-dynamodb"
 *
 * const failure = AwsError.classify(
 *   new TransactionCanceledException({
 *     message: "Transaction cancelled",
 *     $metadata: { httpStatusCode: 400 },
 *     CancellationReasons: [{ Code: "ConditionalCheckFailed" }]
 *   }),
 *   { service: "DynamoDB", operation: "TransactWriteItems" }
 * )
 * const original = AwsError.sdkErrorOf(failure)
 * if (original instanceof TransactionCanceledException) console.log(original.CancellationReasons?.[0]?.Code)
 * ```
 *
 * @since 0.1.0
 * @category classification
 */
export const sdkErrorOf: (failure: CallError.CallError) => unknown = internal.sdkErrorOf

/**
 * The canonical spelling of a service name: `"dynamodb"` → `"DynamoDB"`, `"s3"` → `"S3"`, `"lambda"` → `"Lambda"`;
 * other names are kept as given.
 *
 * @example
 * ```ts
 * import { AwsError } from "@rebound/aws"
 *
 * console.log(AwsError.serviceName("lambda")) // "Lambda"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const serviceName: (name: string) => string = canonical
