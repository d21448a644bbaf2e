/**
 * Faults the lab's proxy injects on the wire, and the rules that say when.
 *
 * A fault is protocol-neutral data; the proxy encodes it the way the service it fronts does (awsJson1.0 for
 * DynamoDB, restXml for S3, restJson1 for Lambda), so the real SDK clients parse it into the same error they would
 * get from AWS. The wire encodings are listed on each constructor.
 *
 * @since 0.1.0
 */
import type { LatencyTail } from "@rebound/core/testing"
import * as Duration from "effect/Duration"

/**
 * The services the lab serves.
 *
 * @since 0.1.0
 * @category models
 */
export type Service = "dynamodb" | "s3" | "lambda"

/**
 * Headers a responding fault may add: `Retry-After` in whole seconds and `x-amz-retry-after` in milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hints {
  readonly retryAfter?: Duration.Duration | undefined
  readonly amzRetryAfter?: Duration.Duration | undefined
}

/**
 * Options of the responding faults.
 *
 * @since 0.1.0
 * @category models
 */
export interface HintOptions {
  /** Sends `Retry-After: <seconds, rounded up>`. */
  readonly retryAfter?: Duration.DurationInput | undefined
  /** Sends `x-amz-retry-after: <milliseconds>`. */
  readonly amzRetryAfter?: Duration.DurationInput | undefined
}

/**
 * The service's throttling error.
 *
 * @since 0.1.0
 * @category models
 */
export interface Throttle extends Hints {
  readonly _tag: "Throttle"
  /** Overrides the error code, e.g. `"ThrottlingException"` or `"RequestLimitExceeded"` for DynamoDB. */
  readonly code?: string | undefined
  /** Lambda only: the `Reason` member of `TooManyRequestsException`. */
  readonly reason?: string | undefined
}

/**
 * A 5xx error with the service's error body.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerError extends Hints {
  readonly _tag: "ServerError"
  readonly status: 500 | 502 | 503 | 504
  /** Overrides the error code, e.g. `"KMSAccessDeniedException"` for a Lambda 502. */
  readonly code?: string | undefined
}

/**
 * An HTML error page, as a load balancer in front of the service would send it.
 *
 * @since 0.1.0
 * @category models
 */
export interface HtmlPage extends Hints {
  readonly _tag: "HtmlPage"
  readonly status: number
}

/**
 * An answer made up by the proxy; the upstream never sees the request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Synthetic extends Hints {
  readonly _tag: "Synthetic"
  readonly status: number
  readonly body: string
  /** Defaults to the service's content type. */
  readonly contentType?: string | undefined
  readonly headers: Readonly<Record<string, string>>
}

/**
 * A TCP reset before the request is forwarded: the upstream never saw it, so the failure is not ambiguous.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResetBeforeForward {
  readonly _tag: "ResetBeforeForward"
}

/**
 * The request is forwarded and the upstream's answer awaited, then the client's connection is reset without an
 * answer: the service did the work, the client cannot know (ambiguous).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResetAfterForward {
  readonly _tag: "ResetAfterForward"
}

/**
 * Never answer and never forward; the client's own timeout has to end the call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stall {
  readonly _tag: "Stall"
}

/**
 * A slow service: wait, then forward (`beforeForward`), or forward and wait before answering (`afterForward`, so a
 * client timeout leaves the work done).
 *
 * @since 0.1.0
 * @category models
 */
export interface Delay {
  readonly _tag: "Delay"
  readonly duration: Duration.Duration
  readonly phase: "beforeForward" | "afterForward"
}

/**
 * Every fault the proxy can inject.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | Throttle
  | ServerError
  | HtmlPage
  | Synthetic
  | ResetBeforeForward
  | ResetAfterForward
  | Stall
  | Delay
  | Unprocessed

/**
 * DynamoDB `BatchWriteItem` / `BatchGetItem` only: the proxy forwards the first part of each table's items and hands
 * the last `fraction` back as `UnprocessedItems` / `UnprocessedKeys` in a 200 answer, as DynamoDB does under load.
 * Other operations are forwarded unchanged.
 *
 * @since 0.1.0
 * @category models
 */
export interface Unprocessed {
  readonly _tag: "Unprocessed"
  /** The share of each table's items handed back, in [0, 1]; rounded down to whole items. */
  readonly fraction: number
}

/**
 * Hands part of a batch back unprocessed.
 *
 * @example
 * ```ts
 * import { Fault } from "@rebound/aws/testing"
 *
 * const thirty = { service: "dynamodb" as const, operation: "BatchWriteItem", fault: Fault.unprocessed(0.3) }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const unprocessed = (fraction: number): Unprocessed => ({ _tag: "Unprocessed", fraction })

/**
 * The faults the proxy answers itself, without a connection trick.
 *
 * @since 0.1.0
 * @category models
 */
export type Responding = Throttle | ServerError | HtmlPage | Synthetic

const hints = (options: HintOptions | undefined): Hints => ({
  ...(options?.retryAfter !== undefined ? { retryAfter: Duration.decode(options.retryAfter) } : {}),
  ...(options?.amzRetryAfter !== undefined ? { amzRetryAfter: Duration.decode(options.amzRetryAfter) } : {})
})

/**
 * The service's throttling error:
 *
 * - DynamoDB: `400`, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",…}`
 *   (`code: "ThrottlingException"` uses the `com.amazon.coral.availability` namespace, as DynamoDB does).
 * - S3: `503`, `<Error><Code>SlowDown</Code>…</Error>`.
 * - Lambda: `429`, `x-amzn-errortype: TooManyRequestsException`,
 *   `{"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}`.
 *
 * @example
 * ```ts
 * import { Fault } from "@rebound/aws/testing"
 *
 * const throttled = Fault.throttle({ code: "ThrottlingException", retryAfter: "2 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const throttle = (
  options?: HintOptions & { readonly code?: string | undefined; readonly reason?: string | undefined }
): Throttle => ({
  _tag: "Throttle",
  ...hints(options),
  ...(options?.code !== undefined ? { code: options.code } : {}),
  ...(options?.reason !== undefined ? { reason: options.reason } : {})
})

/**
 * A 5xx error in the service's encoding. Default codes: DynamoDB `InternalServerError` (500) or `ServiceUnavailable`;
 * S3 `InternalError` (500) or `ServiceUnavailable`; Lambda `ServiceException` (500, 503, 504) or
 * `EC2UnexpectedException` (502).
 *
 * @example
 * ```ts
 * import { Fault } from "@rebound/aws/testing"
 *
 * const kms = Fault.serverError(502, { code: "KMSAccessDeniedException" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const serverError = (
  status: ServerError["status"],
  options?: HintOptions & { readonly code?: string | undefined }
): ServerError => ({
  _tag: "ServerError",
  status,
  ...hints(options),
  ...(options?.code !== undefined ? { code: options.code } : {})
})

/**
 * An HTML page (`content-type: text/html`), `503` unless told otherwise: what a load balancer answers. The SDK cannot
 * parse it as the service's error format.
 *
 * @example
 * ```ts
 * import { Fault } from "@rebound/aws/testing"
 *
 * const page = Fault.htmlPage({ status: 502 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const htmlPage = (options?: HintOptions & { readonly status?: number | undefined }): HtmlPage => ({
  _tag: "HtmlPage",
  status: options?.status ?? 503,
  ...hints(options)
})

/**
 * A made-up answer: status `200` unless told otherwise, a body (a string as is, anything else as JSON) and extra
 * headers. For example partial batch results, which DynamoDB sends under load.
 *
 * @example
 * ```ts
 * import { Fault } from "@rebound/aws/testing"
 *
 * const partial = Fault.synthetic({
 *   body: { UnprocessedItems: { orders: [{ PutRequest: { Item: { pk: { S: "k2" } } } }] } }
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const synthetic = (
  options: HintOptions & {
    readonly body: unknown
    readonly status?: number | undefined
    readonly contentType?: string | undefined
    readonly headers?: Readonly<Record<string, string>> | undefined
  }
): Synthetic => ({
  _tag: "Synthetic",
  status: options.status ?? 200,
  body: typeof options.body === "string" ? options.body : JSON.stringify(options.body),
  headers: options.headers ?? {},
  ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
  ...hints(options)
})

/**
 * A TCP reset before the request is forwarded (not ambiguous).
 *
 * @example
 * ```ts
 * import { Fault } from "@rebound/aws/testing"
 *
 * // The request never reaches DynamoDB, so even a non-idempotent call may be retried:
 * const rule: Fault.Rule = { service: "dynamodb", operation: "UpdateItem", fault: Fault.resetBeforeForward, times: 1 }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resetBeforeForward: ResetBeforeForward = { _tag: "ResetBeforeForward" }

/**
 * A TCP reset after the upstream answered (ambiguous: the work was done).
 *
 * @since 0.1.0
 * @category constructors
 */
export const resetAfterForward: ResetAfterForward = { _tag: "ResetAfterForward" }

/**
 * No answer at all, until the client gives up.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stall: Stall = { _tag: "Stall" }

/**
 * A slow answer; `phase` defaults to `beforeForward`.
 *
 * @example
 * ```ts
 * import { Fault } from "@rebound/aws/testing"
 *
 * const slowAfterWork = Fault.delay("300 millis", { phase: "afterForward" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const delay = (
  duration: Duration.DurationInput,
  options?: { readonly phase?: Delay["phase"] | undefined }
): Delay => ({ _tag: "Delay", duration: Duration.decode(duration), phase: options?.phase ?? "beforeForward" })

/**
 * When a scripted fault applies. Every field left out matches anything.
 *
 * - `operation`: DynamoDB from `x-amz-target` (`"GetItem"`); S3 from the method, path and query (`"PutObject"`,
 *   `"UploadPart"`, `"ListObjectsV2"`, …); Lambda `"Invoke"`.
 * - `resource`: the DynamoDB table (`TableName`, or the first table of `RequestItems`); the Lambda function name; for
 *   S3 `"bucket"` or `"bucket/keyPrefix"`, matched against the bucket and the key (or a list's `prefix`).
 * - `attempt`: 1-based. It is the larger of the SDK's `amz-sdk-request: attempt=N` header and the number of times
 *   the proxy has seen this exact request (method, URL and body). With `maxAttempts: 1` the SDK always says 1, so
 *   the count of identical requests is what numbers the retries an Effect policy makes.
 * - `times`: how many requests the rule faults before it is spent (default 1; `Infinity` for ever).
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule {
  readonly fault: Fault
  readonly service?: Service | undefined
  readonly operation?: string | undefined
  readonly resource?: string | undefined
  readonly attempt?: number | undefined
  readonly times?: number | undefined
}

/**
 * The kinds of fault chaos mode draws.
 *
 * @since 0.1.0
 * @category models
 */
export type ChaosKind =
  | "throttle"
  | "serverError"
  | "htmlPage"
  | "resetBeforeForward"
  | "resetAfterForward"
  | "stall"
  | "delay"
  | "unprocessed"

/**
 * Chaos mode: each request not caught by a scripted rule (and matching `service`/`operation`/`resource` if given)
 * draws one number from a PRNG seeded with `seed`; the kinds, in the order of {@link chaosKinds}, take consecutive
 * slices of [0, 1) as wide as their probabilities. The same seed and the same request order give the same faults.
 *
 * Kinds map to {@link throttle}, {@link serverError}`(503)`, {@link htmlPage}, {@link resetBeforeForward},
 * {@link resetAfterForward}, {@link stall}, {@link delay}`("100 millis")` and {@link unprocessed}`(0.3)` unless
 * `faults` says otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChaosOptions {
  readonly seed: number
  readonly probabilities: Partial<Record<ChaosKind, number>>
  readonly faults?: Partial<Record<ChaosKind, Fault>> | undefined
  readonly service?: Service | undefined
  readonly operation?: string | undefined
  readonly resource?: string | undefined
}

/**
 * Latency-tail injection: each request (matching `service`/`operation`/`resource` if given) that no scripted rule or
 * chaos draw faulted takes two draws from a PRNG seeded with `seed`; when the first falls below the tail's share, the
 * request waits a delay drawn from the tail's distribution before it is forwarded (`LatencyTail.sample`). The same
 * seed and request order give the same delays; the simulator's tail scenario draws from the same model.
 *
 * A delayed request whose client has gone by the end of the delay (a hedge won, a timeout) is not forwarded; its log
 * entry shows no status.
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyTailOptions {
  readonly seed: number
  readonly tail: LatencyTail.LatencyTail
  readonly service?: Service | undefined
  readonly operation?: string | undefined
  readonly resource?: string | undefined
}

/**
 * The order in which chaos kinds take their slice of [0, 1).
 *
 * @since 0.1.0
 * @category constants
 */
export const chaosKinds: ReadonlyArray<ChaosKind> = [
  "throttle",
  "serverError",
  "htmlPage",
  "resetBeforeForward",
  "resetAfterForward",
  "stall",
  "delay",
  "unprocessed"
]

/**
 * The fault each chaos kind stands for unless {@link ChaosOptions} overrides it.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultChaosFaults: Readonly<Record<ChaosKind, Fault>> = {
  throttle: throttle(),
  serverError: serverError(503),
  htmlPage: htmlPage(),
  resetBeforeForward,
  resetAfterForward,
  stall,
  delay: delay("100 millis"),
  unprocessed: unprocessed(0.3)
}
