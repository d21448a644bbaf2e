import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import { hasProperty } from "effect/Predicate"
import type * as CallError from "../CallError.js"

/** @internal */
export const TypeId: CallError.TypeId = Symbol.for("@rebound/core/CallError") as CallError.TypeId

/** @internal */
export const isCallError = (u: unknown): u is CallError.CallError => hasProperty(u, TypeId)

const fmt = (d: Duration.Duration): string => Duration.format(d) || "0ms"

/** @internal */
export const describe = (error: CallError.CallError, verb: string, advice: string): string => {
  const facts = [
    error.httpStatus !== undefined ? `HTTP ${error.httpStatus}` : undefined,
    error.requestId !== undefined ? `request id ${error.requestId}` : undefined,
    error.ambiguous ? "the request may have been executed" : undefined
  ].filter((s) => s !== undefined)
  const head = `${error.service}.${error.operation} ${verb}: ${error.code}${
    facts.length ? ` (${facts.join(", ")})` : ""
  }`
  const wait = error.retryAfter !== undefined ? ` The service asked to wait ${fmt(error.retryAfter)}.` : ""
  const retries = error.retries !== undefined ?
    ` Gave up after ${error.retries.attempts} attempt${error.retries.attempts === 1 ? "" : "s"} in ${
      fmt(error.retries.elapsed)
    } (stop reason: ${error.retries.stopReason}, policy ${error.retries.policy}).` :
    ""
  // The service's own message (`detail`) stays out: it can echo request input, and messages reach logs and spans.
  return `${head}.${wait}${retries} ${advice}`.trim()
}

/** @internal */
export const throttlingAdvice = (error: CallError.ThrottlingError): string =>
  error.retries?.stopReason === "quota" ?
    "The retry quota is empty: the service has been failing for a while; successes refill it." :
    error.retries?.stopReason === "circuitOpen" ?
    "The circuit breaker is open; calls fail fast until it half-opens." :
    "Reduce the request rate, spread load across keys, or raise capacity; backoff with jitter absorbs short bursts."

/** @internal */
export const transientAdvice = (error: CallError.TransientError): string =>
  error.retries?.stopReason === "notIdempotent" ?
    "Not retried because the operation is not idempotent and the request may have run; mark it idempotent to allow retries." :
    error.reason === "clockSkew" ?
    "The local clock differs from the service's; synchronise the system clock." :
    error.reason === "notReady" ?
    "The resource is being set up or updated; retrying once it is ready will succeed." :
    error.reason === "conflict" ?
    "A concurrent request held the item; retrying after a backoff may succeed." :
    "Retrying later may succeed."

/** @internal */
export const fatalAdvice = (error: CallError.FatalError): string => {
  switch (error.reason) {
    case "auth":
      return "Check the credentials and the IAM permissions for this operation."
    case "notFound":
      return "Check that the resource exists in this account and region."
    case "configuration":
      return "The resource is misconfigured; fix its configuration — retrying will not help."
    case "aborted":
      return "The call was cancelled."
    case "client":
      return "The request is invalid; fix the input — retrying will not help."
    default:
      return "Retrying will not help."
  }
}

const causeSummary = (cause: unknown): unknown => {
  if (cause === undefined || cause === null) return undefined
  if (typeof cause !== "object") return typeof cause
  const c = cause as { readonly name?: unknown; readonly code?: unknown }
  return {
    name: typeof c.name === "string" ? c.name : undefined,
    code: typeof c.code === "string" ? c.code : undefined
  }
}

/**
 * Makes `detail` non-enumerable: it can echo request input, and `util.inspect`, `console.log` and log serialisers
 * render every enumerable field.
 * @internal
 */
export const hideDetail = (error: CallError.CallError): void => {
  const descriptor = Object.getOwnPropertyDescriptor(error, "detail")
  if (descriptor === undefined) return
  if (descriptor.value === undefined) {
    delete (error as { detail?: unknown }).detail
    return
  }
  Object.defineProperty(error, "detail", { value: descriptor.value, enumerable: false, writable: false })
}

const fieldsOf = (error: CallError.CallError): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(error)) {
    if (key === "_tag") continue
    out[key] = (error as unknown as Record<string, unknown>)[key]
  }
  // `cause` (installed by Error) and `detail` are not enumerable; keep them when copying.
  if ("cause" in error) out.cause = (error as { readonly cause?: unknown }).cause
  if (error.detail !== undefined) out.detail = error.detail
  return out
}

/** @internal */
export const copy = <E extends CallError.CallError>(error: E, fields: Partial<CallError.CommonFields>): E => {
  const Ctor = error.constructor as new(args: Record<string, unknown>) => E
  const next = new Ctor({ ...fieldsOf(error), ...fields })
  // Keep the original stack: the failure happened where the attempt failed, not where the policy gave up.
  if (error.stack !== undefined) Object.defineProperty(next, "stack", { value: error.stack, writable: true })
  return next
}

/** @internal */
export const withRetries = <E extends CallError.CallError>(error: E, retries: CallError.RetrySummary): E =>
  copy(error, { retries })

/**
 * What inspecting a failure shows: the error itself. A failure raised while a span is current reaches the caller
 * wrapped in a proxy that carries the span (`Cause.originalError` unwraps it), and Effect's errors inspect as their own
 * receiver — the proxy, again. Node's `util.inspect` then prints the proxy anyway, but an inspector that follows a
 * custom inspection until it gets something new (chai's, which vitest prints failed assertions with) loops until the
 * stack overflows, and the real failure is never shown. The unwrapped error is a plain `Error`, printed as one.
 * @internal
 */
export const inspectable = (error: CallError.CallError): unknown => Cause.originalError(error)

/** @internal */
export const toJSON = (error: CallError.CallError): unknown => {
  const e = error as CallError.CallError & {
    readonly reason?: string
    readonly throttleReason?: string
  }
  return {
    _tag: e._tag,
    service: e.service,
    operation: e.operation,
    code: e.code,
    reason: e.reason,
    ambiguous: e.ambiguous,
    throttleReason: e.throttleReason,
    // `detail` (the service's message) stays out: it can echo request input, and JSON forms end up in logs.
    httpStatus: e.httpStatus,
    requestId: e.requestId,
    extendedRequestId: e.extendedRequestId,
    resource: e.resource,
    retryAfterMs: e.retryAfter !== undefined ? Duration.toMillis(e.retryAfter) : undefined,
    retries: e.retries !== undefined ?
      {
        attempts: e.retries.attempts,
        totalDelayMs: Duration.toMillis(e.retries.totalDelay),
        elapsedMs: Duration.toMillis(e.retries.elapsed),
        stopReason: e.retries.stopReason,
        policy: e.retries.policy
      } :
      undefined,
    cause: causeSummary(e.cause)
  }
}
