import { CallError } from "@rebound/core"
import { summarize } from "./redact.js"

interface Emitter {
  readonly on: (event: "error", listener: (error: unknown) => void) => unknown
}

const isEmitter = (u: unknown): u is Emitter =>
  typeof u === "object" && u !== null && typeof (u as { readonly on?: unknown }).on === "function"

/** The one-shot body of an input (`Body`, or Lambda's `Payload`) when it is a Node stream. @internal */
export const streamBodyOf = (input: unknown): Emitter | undefined => {
  if (typeof input !== "object" || input === null) return undefined
  const i = input as Record<string, unknown>
  const body = i.Body ?? i.Payload
  return isEmitter(body) ? body : undefined
}

/**
 * Runs a request whose body is a Node stream so that an error of the stream fails the request at once with
 * `onBodyError`'s failure, and aborts it. The SDK's HTTP handler pipes the body into the request without listening
 * for its errors: unguarded, the error is uncaught and the request waits for a body that never ends.
 *
 * The listener stays on the stream: an error it emits later is already accounted for, and must not become an
 * uncaught exception either.
 * @internal
 */
export const guardBody = <A>(
  body: Emitter,
  request: (signal: AbortSignal) => Promise<A>,
  onBodyError: (error: unknown) => unknown
) =>
(outer: AbortSignal): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const inner = new AbortController()
    let settled = false
    const settle = () => {
      settled = true
      outer.removeEventListener("abort", forward)
    }
    const forward = () => inner.abort(outer.reason)
    outer.addEventListener("abort", forward, { once: true })
    body.on("error", (error) => {
      if (settled) return
      settle()
      reject(onBodyError(error))
      inner.abort()
    })
    request(inner.signal).then(
      (value) => {
        if (settled) return
        settle()
        resolve(value)
      },
      (error: unknown) => {
        if (settled) return
        settle()
        reject(error)
      }
    )
  })

/** The failure of a request whose one-shot body failed while it was being sent. @internal */
export const bodyFailure = (
  context: { readonly service: string; readonly operation: string; readonly resource: string | undefined },
  error: unknown
): CallError.FatalError =>
  new CallError.FatalError({
    ...context,
    code: "RequestBodyError",
    detail: "the request body stream failed while it was being sent; a body that can be read once cannot be " +
      "sent again: build it anew to call again",
    reason: "client",
    cause: summarize(error)
  })

interface Readable {
  readonly destroy?: (error?: Error) => unknown
  readonly transformToByteArray?: () => Promise<Uint8Array>
}

/**
 * Reads a response body whole, within the attempt: aborting the attempt (its deadline, an interruption) destroys the
 * body's stream, so a stalled read ends and the attempt can be retried as a whole.
 * @internal
 */
export const readAll = async (body: unknown, signal: AbortSignal): Promise<Uint8Array> => {
  if (body === undefined || body === null) return new Uint8Array(0)
  if (body instanceof Uint8Array) return body
  const stream = body as Readable
  if (typeof stream.transformToByteArray !== "function") {
    throw new TypeError("the response body is neither bytes nor an SDK stream")
  }
  const onAbort = () => {
    // With an error, so the collector reading the stream rejects instead of waiting for an end that never comes.
    stream.destroy?.(Object.assign(new Error("the attempt was aborted while reading the body"), { name: "AbortError" }))
  }
  if (signal.aborted) onAbort()
  signal.addEventListener("abort", onAbort, { once: true })
  try {
    return await stream.transformToByteArray()
  } finally {
    signal.removeEventListener("abort", onAbort)
  }
}
