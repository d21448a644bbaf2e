import { CallError } from "@rebound/core"
import { isClockSkewCorrectedError, isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry"
import type { SdkError } from "@smithy/types"
import * as Duration from "effect/Duration"
import type * as AwsError from "../AwsError.js"

/** Lambda errors that come back as 502 but never recover by retrying: the function's configuration is broken. */
const lambdaConfigurationErrors: ReadonlySet<string> = new Set([
  "KMSAccessDeniedException",
  "KMSDisabledException",
  "KMSInvalidStateException",
  "KMSNotFoundException",
  "InvalidSubnetIDException",
  "InvalidZipFileException",
  "InvalidSecurityGroupIDException",
  "InvalidRuntimeException",
  "SubnetIPAddressLimitReachedException",
  "EC2AccessDeniedException",
  "ENILimitReachedException"
])

/** Clock skew the service reported in so many words (the SDK's wider list also names real auth failures). */
const clockSkewCodes: ReadonlySet<string> = new Set(["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"])

/** Node network errors raised before anything was written: the request cannot have run. */
const notSentCodes: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL"
])

/** Node network errors that may come after the request was written: it may have run. */
const maybeSentCodes: ReadonlySet<string> = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED"])

const authCodes: ReadonlySet<string> = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "ExpiredToken",
  "ExpiredTokenException",
  "AuthFailure",
  "MissingAuthenticationToken",
  "IncompleteSignature",
  "CredentialsProviderError"
])

const notFoundCodes: ReadonlySet<string> = new Set([
  "NotFound",
  "NoSuchKey",
  "NoSuchBucket",
  "NoSuchUpload",
  "NoSuchVersion",
  "ResourceNotFoundException",
  "TableNotFoundException"
])

const conflictCodes: ReadonlySet<string> = new Set([
  "ConditionalCheckFailedException",
  "TransactionConflictException",
  "TransactionCanceledException",
  "IdempotentParameterMismatchException",
  "ResourceInUseException",
  "ResourceConflictException",
  "BucketAlreadyExists",
  "BucketAlreadyOwnedByYou",
  "PreconditionFailed"
])

interface Raw {
  readonly name?: unknown
  readonly code?: unknown
  readonly message?: unknown
  readonly cause?: unknown
  readonly $metadata?: {
    readonly httpStatusCode?: number
    readonly requestId?: string
    readonly extendedRequestId?: string
    readonly clockSkewCorrected?: boolean
  }
  readonly $response?: { readonly statusCode?: number; readonly headers?: Record<string, string | undefined> }
  readonly $retryable?: { readonly throttling?: boolean }
  readonly Reason?: unknown
  readonly retryAfterSeconds?: unknown
  readonly ThrottlingReasons?: ReadonlyArray<{ readonly reason?: string; readonly resource?: string }>
  readonly throttlingReasons?: ReadonlyArray<{ readonly reason?: string; readonly resource?: string }>
}

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

/** Walks the `cause` chain (at most 10 deep, like the SDK) for a Node error code. @internal */
export const nodeCode = (error: unknown): string | undefined => {
  let current: unknown = error
  for (let depth = 0; depth <= 10 && typeof current === "object" && current !== null; depth++) {
    const code = str((current as Raw).code)
    if (code !== undefined && (notSentCodes.has(code) || maybeSentCodes.has(code))) return code
    current = (current as Raw).cause
  }
  return undefined
}

const header = (raw: Raw, name: string): string | undefined => {
  const headers = raw.$response?.headers
  if (headers === undefined) return undefined
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string") return value
  }
  return undefined
}

/**
 * The service's hint of how long to wait: `x-amz-retry-after` (milliseconds), `Retry-After` (seconds or an HTTP date),
 * or Lambda's `retryAfterSeconds`. Negative or invalid values are ignored.
 * @internal
 */
export const retryAfterOf = (error: unknown, nowMillis: number): Duration.Duration | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const raw = error as Raw
  const amz = header(raw, "x-amz-retry-after")
  if (amz !== undefined && /^\d+$/.test(amz.trim())) return Duration.millis(Number(amz.trim()))
  const value = header(raw, "retry-after") ?? (typeof raw.retryAfterSeconds === "string" ||
      typeof raw.retryAfterSeconds === "number" ?
    String(raw.retryAfterSeconds) :
    undefined)
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.millis(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return date > nowMillis ? Duration.millis(date - nowMillis) : undefined
}

const isLoadBalancerPage = (raw: Raw, status: number | undefined): boolean =>
  status === 503 && (str(raw.name) === "SyntaxError" || str(raw.name) === "Unknown" ||
    /deserializ|Unexpected token|not valid JSON|Unexpected end of JSON/i.test(str(raw.message) ?? ""))

const overrideOf = (
  rules: AwsError.Rules | undefined,
  service: string,
  operation: string,
  code: string
): AwsError.FailureClass | undefined =>
  rules?.operations?.[`${service}.${operation}`]?.[code] ?? rules?.operations?.[operation]?.[code] ??
    rules?.codes?.[code]

/** @internal */
export const classify = (
  error: unknown,
  context: AwsError.Context,
  rules?: AwsError.Rules
): CallError.CallError => {
  if (CallError.isCallError(error)) return error
  const { nowMillis = 0, operation, service } = context
  const raw: Raw = typeof error === "object" && error !== null ? error as Raw : { message: String(error) }
  const name = str(raw.name) ?? "Error"
  const network = nodeCode(error)
  const code = name === "Error" || name === "TimeoutError" ? network ?? name : name
  const status = raw.$metadata?.httpStatusCode ?? raw.$response?.statusCode
  const common = {
    service,
    operation,
    code,
    detail: str(raw.message),
    httpStatus: status,
    requestId: raw.$metadata?.requestId ?? header(raw, "x-amzn-requestid") ?? header(raw, "x-amz-request-id"),
    extendedRequestId: raw.$metadata?.extendedRequestId ?? header(raw, "x-amz-id-2"),
    retryAfter: retryAfterOf(error, nowMillis),
    resource: context.resource,
    cause: error
  }
  const throttling = (
    extra: { readonly throttleReason?: string | undefined; readonly resource?: string | undefined } = {}
  ) => new CallError.ThrottlingError({ ...common, ...extra, resource: extra.resource ?? common.resource })
  const transient = (reason: CallError.TransientReason, ambiguous: boolean) =>
    new CallError.TransientError({ ...common, reason, ambiguous })
  const fatal = (reason: CallError.FatalReason) => new CallError.FatalError({ ...common, reason })

  // What the caller declared wins over everything else.
  const declared = overrideOf(rules, service, operation, code)
  if (declared === "throttling") return throttling()
  if (declared === "transient") {
    return transient(status !== undefined && status >= 500 ? "server" : "unknown", status !== 503)
  }
  if (declared === "fatal") return fatal(authCodes.has(code) ? "auth" : notFoundCodes.has(code) ? "notFound" : "client")

  if (name === "AbortError") return fatal("aborted")
  // Retried by the SDKs only because of their 502 status; they never recover.
  if (lambdaConfigurationErrors.has(name)) return fatal("configuration")

  const sdk = error as SdkError
  if (isThrottlingError(sdk)) {
    const reasons = raw.ThrottlingReasons ?? raw.throttlingReasons
    return throttling({
      throttleReason: str(raw.Reason) ?? str(reasons?.[0]?.reason),
      resource: str(reasons?.[0]?.resource)
    })
  }
  if (
    clockSkewCodes.has(name) || isClockSkewCorrectedError(sdk) === true ||
    (name === "InvalidSignatureException" && /Signature expired/i.test(str(raw.message) ?? ""))
  ) {
    return transient("clockSkew", false)
  }
  if (network !== undefined) {
    if (notSentCodes.has(network)) return transient("network", false)
    return transient(network === "ETIMEDOUT" ? "timeout" : "network", true)
  }
  if (name === "TimeoutError") {
    // Only a connect timeout proves nothing was sent.
    const connecting = /did not establish a connection|connect(ion)? timeout/i.test(str(raw.message) ?? "")
    return transient("timeout", !connecting)
  }
  if (name === "RequestTimeout") return transient("timeout", false) // S3: the upload socket sat idle; nothing stored
  if (name === "RequestTimeoutException") return transient("timeout", true)
  if (isLoadBalancerPage(raw, status)) return transient("server", false)
  if (isTransientError(sdk)) {
    // A Lambda 5xx never proves the function did not run.
    if (status !== undefined && status >= 500) return transient("server", status !== 503 || service === "Lambda")
    // Modeled `@retryable` errors (DynamoDB ReplicatedWriteConflictException): the write was not applied.
    return transient("unknown", false)
  }
  if (isServerError(sdk) || (status !== undefined && status >= 500)) {
    return status === 501 || status === 505 ? fatal("client") : transient("server", true)
  }
  if (authCodes.has(name) || status === 401 || status === 403) return fatal("auth")
  if (notFoundCodes.has(name) || status === 404) return fatal("notFound")
  if (conflictCodes.has(name) || status === 409 || status === 412) return fatal("conflict")
  if (status !== undefined && status >= 400) return fatal("client")
  return fatal("unknown")
}
