import { CallError } from "@rebound/core"
import { isClockSkewCorrectedError, isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry"
import type { SdkError } from "@smithy/types"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as AwsError from "../AwsError.js"
import { scrub, sdkErrorOfSummary, summarize } from "./redact.js"
import { canonical } from "./serviceName.js"

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

/**
 * Lambda errors raised before the function runs, while its VPC connection is being set up (502, "wait a few moments
 * and try the request again", `@aws-sdk/client-lambda` models): retryable, and not ambiguous.
 */
const lambdaNotReady: ReadonlySet<string> = new Set(["ENINotReadyException", "ResourceNotReadyException"])

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
  readonly CancellationReasons?: ReadonlyArray<{ readonly Code?: string }>
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
  if (typeof headers !== "object" || headers === null) return undefined
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === "string") return value
  }
  return undefined
}

/** Effect's live clock: "now" when the caller passes no time (outside Effect, e.g. a classifier given to a decorator). */
const liveClock: Clock.Clock = Effect.runSync(Effect.clock)

/**
 * The service's hint of how long to wait: `x-amz-retry-after` (milliseconds), `Retry-After` (seconds or an HTTP date),
 * or Lambda's `retryAfterSeconds`. Negative or invalid values are ignored. An HTTP date is measured from `nowMillis`,
 * or from the current time when none is given.
 * @internal
 */
export const retryAfterOf = (error: unknown, nowMillis?: number): Duration.Duration | undefined => {
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
  const now = nowMillis ?? liveClock.unsafeCurrentTimeMillis()
  return date > now ? Duration.millis(date - now) : undefined
}

const isLoadBalancerPage = (raw: Raw, status: number | undefined): boolean =>
  status === 503 && (str(raw.name) === "SyntaxError" || str(raw.name) === "Unknown" ||
    /deserializ|Unexpected token|not valid JSON|Unexpected end of JSON/i.test(str(raw.message) ?? ""))

type Entry = AwsError.FailureClass | AwsError.Rule

const asRule = (entry: Entry): AwsError.Rule => typeof entry === "string" ? { class: entry } : entry

/** The first rule for the code whose predicate holds: per `Service.Operation`, then per operation, then for all. */
const declaredRule = (
  rules: AwsError.Rules | undefined,
  input: AwsError.RuleInput
): AwsError.Rule | undefined => {
  if (rules === undefined) return undefined
  const levels = [
    rules.operations?.[`${input.service}.${input.operation}`]?.[input.code],
    rules.operations?.[input.operation]?.[input.code],
    rules.codes?.[input.code]
  ]
  for (const level of levels) {
    if (level === undefined) continue
    const entries: ReadonlyArray<Entry> = Array.isArray(level) ? level : [level as Entry]
    for (const entry of entries) {
      const rule = asRule(entry)
      if (rule.when === undefined || rule.when(input)) return rule
    }
  }
  return undefined
}

/** DynamoDB's cancellation reason codes, from `CancellationReasons` or, failing that, the message's list. */
const cancellationCodes = (raw: Raw): ReadonlyArray<string> => {
  const listed = Array.isArray(raw.CancellationReasons) ?
    raw.CancellationReasons.map((r) => str(r?.Code) ?? "None") :
    (/\[([^\]]*)\]/.exec(str(raw.message) ?? "")?.[1] ?? "").split(",").map((c) => c.trim())
  return listed.filter((code) => code.length > 0 && code !== "None")
}

const throttledReasons: ReadonlySet<string> = new Set(["ThrottlingError", "ProvisionedThroughputExceeded"])

/**
 * Lambda's `ResourceConflictException` (409) means two things: "an update is in progress" or "the function is
 * currently in the following state: Pending" (wait, then retry: the function did not run), or that the resource
 * already exists (fatal).
 */
const isLambdaBusy = (message: string | undefined): boolean =>
  message !== undefined && /\bin progress\b|\bpending\b/i.test(message) && !/already exist/i.test(message)

/** @internal */
export const sdkErrorOf = (failure: CallError.CallError): unknown => sdkErrorOfSummary(failure.cause)

/** @internal */
export const classify = (
  error: unknown,
  context: AwsError.Context,
  rules?: AwsError.Rules
): CallError.CallError => {
  if (CallError.isCallError(error)) return error
  const { operation } = context
  const service = canonical(context.service)
  const lambda = service === "Lambda"
  const isObject = typeof error === "object" && error !== null
  // Predicates below read fields: a thrown `undefined`, `null` or number becomes an empty error first.
  const raw: Raw = isObject ? error as Raw : {}
  const name = isObject ? str(raw.name) ?? "Error" : "NonError"
  const network = nodeCode(error)
  const code = name === "Error" || name === "TimeoutError" ? network ?? name : name
  const status = raw.$metadata?.httpStatusCode ?? raw.$response?.statusCode
  const message = str(raw.message)
  const detail = isObject ? message : error === undefined ? undefined : String(error)
  const common = {
    service,
    operation,
    code,
    detail: detail === undefined ? undefined : scrub(detail),
    httpStatus: status,
    requestId: raw.$metadata?.requestId ?? header(raw, "x-amzn-requestid") ?? header(raw, "x-amz-request-id"),
    extendedRequestId: raw.$metadata?.extendedRequestId ?? header(raw, "x-amz-id-2"),
    retryAfter: retryAfterOf(raw, context.nowMillis),
    resource: context.resource,
    // A summary safe to render; the SDK's own error is kept aside, reachable through the summary only in code
    // (`AwsError.sdkErrorOf`), never through a rendering.
    cause: summarize(error)
  }
  const throttling = (
    extra: { readonly throttleReason?: string | undefined; readonly resource?: string | undefined } = {}
  ) => new CallError.ThrottlingError({ ...common, ...extra, resource: extra.resource ?? common.resource })
  const transient = (reason: CallError.TransientReason, ambiguous: boolean) =>
    new CallError.TransientError({ ...common, reason, ambiguous })
  const fatal = (reason: CallError.FatalReason) => new CallError.FatalError({ ...common, reason })
  const fatalByCode = () => fatal(authCodes.has(code) ? "auth" : notFoundCodes.has(code) ? "notFound" : "client")

  const builtin = (): CallError.CallError => {
    if (!isObject) return fatal("unknown")
    if (name === "AbortError") return fatal("aborted")
    if (lambda) {
      // Retried by the SDKs only because of their 502 status; they never recover.
      if (lambdaConfigurationErrors.has(name)) return fatal("configuration")
      if (lambdaNotReady.has(name)) return transient("notReady", false)
      // 408: the function's file system did not mount in time; its code did not run.
      if (name === "EFSMountTimeoutException") return transient("timeout", false)
      if (name === "ResourceConflictException" && isLambdaBusy(message)) return transient("notReady", false)
    }
    // A write that met a transaction in progress was rejected, not applied.
    if (name === "TransactionConflictException") return transient("conflict", false)
    if (name === "TransactionCanceledException") {
      const reasons = cancellationCodes(raw)
      const retryable = reasons.length > 0 &&
        reasons.every((reason) => reason === "TransactionConflict" || throttledReasons.has(reason))
      if (retryable && reasons.some((reason) => throttledReasons.has(reason))) {
        return throttling({ throttleReason: reasons.find((reason) => throttledReasons.has(reason)) })
      }
      return retryable ? transient("conflict", false) : fatal("conflict")
    }

    const sdk = raw as SdkError
    if (isThrottlingError(sdk)) {
      const reasons = raw.ThrottlingReasons ?? raw.throttlingReasons
      return throttling({
        throttleReason: str(raw.Reason) ?? str(reasons?.[0]?.reason),
        resource: str(reasons?.[0]?.resource)
      })
    }
    if (
      clockSkewCodes.has(name) || isClockSkewCorrectedError(sdk) === true ||
      (name === "InvalidSignatureException" && /Signature expired/i.test(message ?? ""))
    ) {
      return transient("clockSkew", false)
    }
    if (network !== undefined) {
      if (notSentCodes.has(network)) return transient("network", false)
      return transient(network === "ETIMEDOUT" ? "timeout" : "network", true)
    }
    if (name === "TimeoutError") {
      // Only a connect timeout proves nothing was sent.
      const connecting = /did not establish a connection|connect(ion)? timeout/i.test(message ?? "")
      return transient("timeout", !connecting)
    }
    if (name === "RequestTimeout") return transient("timeout", false) // S3: the upload socket sat idle; nothing stored
    if (name === "RequestTimeoutException") return transient("timeout", true)
    // Any 5xx answer to a Lambda call, a load balancer's page included, came after the request was sent: the
    // function may have run (only the errors above prove it did not).
    if (lambda && status !== undefined && status >= 500 && status !== 501 && status !== 505) {
      return transient("server", true)
    }
    if (isLoadBalancerPage(raw, status)) return transient("server", false)
    if (isTransientError(sdk)) {
      if (status !== undefined && status >= 500) return transient("server", status !== 503)
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

  // What the caller declared wins over everything else.
  const declared = declaredRule(rules, { service, operation, code, httpStatus: status, message, error })
  if (declared === undefined) return builtin()
  switch (declared.class) {
    case "throttling":
      return throttling()
    case "fatal":
      return fatalByCode()
    case "transient": {
      const own = builtin()
      const reason: CallError.TransientReason = own._tag === "TransientError" ?
        own.reason :
        status !== undefined && status >= 500 ?
        "server" :
        "unknown"
      // A 4xx is the service refusing the request: not ambiguous unless the rule says so. Otherwise the built-in
      // judgement stands, and an answerless failure nothing else describes may have run.
      const ambiguous = declared.ambiguous ??
        (status !== undefined && status < 500 ?
          false :
          own._tag === "TransientError" ?
          own.ambiguous :
          status !== undefined ?
          status !== 503 || lambda :
          true)
      return transient(reason, ambiguous)
    }
  }
}
