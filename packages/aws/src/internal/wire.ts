import type { FinalizeHandlerArguments, FinalizeRequestMiddleware, HandlerExecutionContext } from "@smithy/types"
import { SMITHY_CONTEXT_KEY } from "@smithy/types"
import { randomUUID } from "node:crypto"

/**
 * What AWS expects on the wire of a call that rebound retries, as the SDK's own retry middleware would send it:
 * `amz-sdk-invocation-id`, one per logical call and the same on every attempt, and `amz-sdk-request: attempt=N; max=M`.
 * rebound sends each attempt as its own `client.send`, so the SDK cannot know either; `AwsCall.send` registers each
 * attempt's abort signal here with its call and attempt number, and a middleware on the client reads it back from the
 * request's context.
 * @internal
 */
export interface CallWire {
  /** Drawn at the first attempt, then kept. */
  invocationId: string | undefined
  readonly maxAttempts: number
}

interface Sent {
  readonly call: CallWire
  readonly attempt: number
}

/**
 * The attempt rides on its own abort signal — an object `AwsCall.send` made for this one request — under a symbol of
 * rebound's, so it lives exactly as long as the request's signal. (Measured on Node 20: the same cost as a `WeakMap`
 * keyed by signals, both well under the ≈ 2 µs Node takes to build the signal itself.)
 */
const sentKey = Symbol.for("@rebound/aws/attempt")

type Marked = AbortSignal & { [sentKey]?: Sent }

/** Registers the attempt sent with this signal. @internal */
export const register = (signal: AbortSignal, call: CallWire, attempt: number): void => {
  ;(signal as Marked)[sentKey] = { call, attempt }
}

/** @internal */
export const invocationIdHeader = "amz-sdk-invocation-id"
/** @internal */
export const requestHeader = "amz-sdk-request"

const attemptHeaders: FinalizeRequestMiddleware<object, object> =
  (next, context: HandlerExecutionContext) => (args: FinalizeHandlerArguments<object>) => {
    const signal = context[SMITHY_CONTEXT_KEY]?.abortSignal as AbortSignal | undefined
    const attempt = (signal as Marked | undefined)?.[sentKey]
    const request = args.request as { headers?: Record<string, string> } | undefined
    if (attempt !== undefined && typeof request?.headers === "object") {
      request.headers[invocationIdHeader] = attempt.call.invocationId ??= randomUUID()
      request.headers[requestHeader] = `attempt=${attempt.attempt}; max=${attempt.call.maxAttempts}`
    }
    return next(args)
  }

interface Stack {
  readonly addRelativeTo: (middleware: FinalizeRequestMiddleware<object, object>, options: object) => void
}

const installed = new WeakSet<object>()

/**
 * Adds the attempt-header middleware to a client's stack, once, right after the SDK's retry middleware (so before
 * signing, where the SDK puts these headers). It acts only on requests rebound registered; the client's other sends
 * are left as they are. A client without a middleware stack (a stub in a unit test) is left alone.
 * @internal
 */
export const install = (client: object): void => {
  if (installed.has(client)) return
  installed.add(client)
  const stack = (client as { readonly middlewareStack?: Partial<Stack> }).middlewareStack
  if (typeof stack?.addRelativeTo !== "function") return
  stack.addRelativeTo(attemptHeaders, {
    name: "reboundAttemptHeadersMiddleware",
    relation: "after",
    toMiddleware: "retryMiddleware",
    tags: ["RETRY", "HEADERS"],
    override: true
  })
}
