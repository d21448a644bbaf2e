/**
 * rebound for code that is not written in Effect: the same policies, classification hooks and telemetry behind a
 * `Promise` function and a TypeScript 5 method decorator.
 *
 * Compared with the boto3 guide's `retry_decorator`: the guide retries two throttling codes only, sleeps
 * `2^attempts × base` starting at twice the base (plus up to 10 % of the base), blocks the thread in `time.sleep`,
 * prints instead of logging, sleeps once more after its last failed attempt before giving up, and finally raises a
 * generic `Exception` that loses the cause. Here any policy applies (full jitter from the first retry, caps, time budgets, `Retry-After`, quotas),
 * failures are classified (throttling, transient, fatal; ambiguous failures of non-idempotent calls are not repeated),
 * waiting never blocks the event loop and stops at once on abort, retries go to `Logger`/`Metric`/EMF through the
 * same observers, and the promise rejects with the last typed failure, its cause and a summary of why retries stopped.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as CallError from "./CallError.js"
import { rebound } from "./internal/presets.js"
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * Options of `retryAsync`: cancellation, classification, idempotency, the call's names and the runtime to run on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Aborting stops the backoff at once and aborts the signal passed to the function. */
  readonly signal?: AbortSignal | undefined
  /**
   * Turns a thrown value into a typed failure. Default: `CallError`s are used as they are; anything else is not
   * retried and is rethrown unchanged. `@rebound/aws` provides a classifier for AWS SDK errors. It also receives the
   * current time of the runtime's clock, to measure hints such as an HTTP-date `Retry-After`.
   */
  readonly classify?: ((error: unknown, context: ClassifyContext) => CallError.CallError | undefined) | undefined
  readonly idempotent?: boolean | undefined
  readonly service?: string | undefined
  readonly operation?: string | undefined
  readonly resource?: string | undefined
  /**
   * The runtime to run on: its services and fiber refs decide telemetry (observers), the state store and the clock.
   * Default: `Runtime.defaultRuntime`.
   */
  readonly runtime?: Runtime.Runtime<never> | undefined
}

/**
 * What a classifier is told besides the error.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClassifyContext {
  /** The current time of the runtime's `Clock`, in milliseconds since the epoch. */
  readonly nowMillis: number
}

/**
 * What the function receives on each attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attempt {
  /** Aborted when the caller aborts or the call is interrupted: pass it on to `fetch` or `client.send`. */
  readonly signal: AbortSignal
  /** 1 for the first attempt. */
  readonly attempt: number
}

class Unclassified {
  readonly _tag = "Unclassified"
  constructor(readonly error: unknown) {}
}

const abortError = (signal: AbortSignal | undefined): unknown =>
  signal?.reason instanceof Error ?
    signal.reason :
    Object.assign(new Error("The operation was aborted"), { name: "AbortError" })

/**
 * Runs an async function under a policy (default `Presets.rebound`). Resolves with its value, or rejects with the last
 * typed failure (`error.retries` says how many attempts were made and why retries stopped), with an unclassified error
 * unchanged, or with an `AbortError` (the signal's reason, when it is an `Error`) when aborted. A signal already
 * aborted rejects at once, without calling the function.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryAsync } from "@rebound/core"
 *
 * const fetchOrder = (id: string) =>
 *   RetryAsync.retryAsync(
 *     async ({ signal }) => {
 *       const response = await fetch(`https://orders.example.com/${id}`, { signal })
 *       if (response.status === 429) {
 *         throw new CallError.ThrottlingError({ service: "orders", operation: "get", code: "429", httpStatus: 429 })
 *       }
 *       return response.json()
 *     },
 *     Presets.awsJs2026,
 *     { service: "orders", operation: "get", idempotent: true }
 *   )
 * ```
 *
 * @since 0.1.0
 * @category running
 */
export const retryAsync = async <A>(
  fn: (attempt: Attempt) => Promise<A>,
  policy: RetryPolicy.RetryPolicy = rebound,
  options: Options = {}
): Promise<A> => {
  if (options.signal?.aborted === true) throw abortError(options.signal)
  const classify = options.classify ?? ((e: unknown) => (CallError.isCallError(e) ? e : undefined))
  let attempt = 0
  const once = Effect.tryPromise({
    try: (signal) => fn({ signal, attempt: ++attempt }),
    catch: (error) => new Unclassified(error)
  }).pipe(
    Effect.catchAll(({ error }) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (nowMillis): Effect.Effect<never, CallError.CallError | Unclassified> =>
          Effect.fail(classify(error, { nowMillis }) ?? new Unclassified(error))
      )
    )
  )
  const program = RetryPolicy.retry(once, policy, {
    idempotent: options.idempotent,
    service: options.service,
    operation: options.operation,
    resource: options.resource
  })
  const exit = await Runtime.runPromiseExit(options.runtime ?? Runtime.defaultRuntime)(
    program,
    options.signal !== undefined ? { signal: options.signal } : undefined
  )
  if (Exit.isSuccess(exit)) return exit.value
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) throw failure.value instanceof Unclassified ? failure.value.error : failure.value
  if (Cause.isInterruptedOnly(exit.cause)) throw abortError(options.signal)
  throw Cause.squash(exit.cause)
}

/**
 * A TypeScript 5 standard decorator for async methods: every call runs under the policy, the method's name becomes
 * the operation.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryAsync } from "@rebound/core"
 *
 * // (the decorator follows the brace so that JSDoc does not read it as a tag)
 * class Buckets { @RetryAsync.retryable(Presets.awsJs2026, { service: "S3", idempotent: true })
 *   async list(): Promise<ReadonlyArray<string>> {
 *     throw new CallError.ThrottlingError({ service: "S3", operation: "list", code: "SlowDown", httpStatus: 503 })
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category decorators
 */
export const retryable =
  (policy: RetryPolicy.RetryPolicy = rebound, options: Omit<Options, "signal"> = {}) =>
  <This, Args extends Array<unknown>, R>(
    method: (this: This, ...args: Args) => Promise<R>,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Promise<R>>
  ) =>
    function(this: This, ...args: Args): Promise<R> {
      return retryAsync(() => method.apply(this, args), policy, { operation: String(context.name), ...options })
    }
