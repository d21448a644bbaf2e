/**
 * An in-project Lambda Invoke endpoint (the REST protocol of `@aws-sdk/client-lambda`'s `Invoke`), serving handlers
 * registered as TypeScript functions, built on `@effect/platform`'s `HttpServer` and bound to 127.0.0.1.
 *
 * - `RequestResponse`: `200` with the handler's result as JSON and `x-amz-executed-version` (the qualifier, or
 *   `$LATEST`); a handler that throws (or rejects, or fails) gives `200` with `x-amz-function-error: Unhandled` and
 *   `{"errorType","errorMessage","trace"}`, which the SDK returns as `FunctionError`, never as an exception.
 * - `Event`: `202` at once; the handler runs afterwards, when a concurrency slot is free (events are queued, never
 *   throttled, as Lambda does).
 * - `DryRun`: `204`, nothing runs.
 * - `x-amz-log-type: Tail`: `x-amz-log-result` holds the base64 of the last 4 KB of the log (`START`, the lines the
 *   handler passed to `context.log`, `ERROR …` on failure, `END`, `REPORT`).
 * - An unknown function: `404 ResourceNotFoundException`; any other path or method: `404 UnknownOperationException`.
 * - Every response carries `x-amzn-requestid`.
 *
 * Throttling arises from load: a function with `reservedConcurrency` answers `429 TooManyRequestsException` with
 * `Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"` when that many executions are already running, and one
 * with `ratePerSecond` answers `Reason: "ReservedFunctionInvocationRateLimitExceeded"` past that rate (a token bucket
 * holding one second's worth), both with `Retry-After` if `retryAfter` is set.
 *
 * @since 0.1.0
 */
import type { InvalidOptionError } from "@rebound/core/InvalidOption"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/lambdaServer.js"
import type { LabError } from "./LabError.js"

/**
 * What a handler learns about its invocation.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvocationContext {
  readonly functionName: string
  /** The qualifier the caller asked for, or `$LATEST`. */
  readonly qualifier: string
  readonly requestId: string
  readonly invocationType: "RequestResponse" | "Event"
  /** Adds a line to the invocation's log (returned with `LogType: "Tail"`). */
  readonly log: (line: string) => void
}

/**
 * A function body: takes the parsed JSON payload (`null` when empty) and returns the result, a promise of it, or an
 * `Effect` of it. Throwing, rejecting or failing is a function error.
 *
 * @since 0.1.0
 * @category models
 */
export type Handler = (event: unknown, context: InvocationContext) => unknown

/**
 * Limits of one function: reserved concurrency, invocation rate and the `Retry-After` of its 429s.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionOptions {
  /** At most this many executions at once; more `RequestResponse` calls get a 429. */
  readonly reservedConcurrency?: number | undefined
  /** At most this many `RequestResponse` calls per second; more get a 429. */
  readonly ratePerSecond?: number | undefined
  /** Sent as `Retry-After` (seconds, rounded up) with this function's 429s. */
  readonly retryAfter?: Duration.DurationInput | undefined
}

/**
 * A function and its options, for {@link Options}.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionDefinition extends FunctionOptions {
  readonly handler: Handler
}

/**
 * What ran, per function. `completed` counts executions that finished, with or without a function error; `failed`
 * counts those that threw. `started - completed - inFlight` executions were cut off by the server's shutdown.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExecutionCounts {
  readonly started: number
  readonly completed: number
  readonly failed: number
  /** Calls answered with a 429, which never started. */
  readonly throttled: number
  readonly inFlight: number
  readonly peakConcurrency: number
}

/**
 * Registering functions and reading their counts.
 *
 * @since 0.1.0
 * @category models
 */
export interface Functions {
  /** Registers (or replaces, with fresh counts) a function. */
  readonly register: (
    name: string,
    handler: Handler,
    options?: FunctionOptions
  ) => Effect.Effect<void, InvalidOptionError>
  /** The counts of a function; all zero for a function never registered. */
  readonly executions: (name: string) => Effect.Effect<ExecutionCounts>
}

/**
 * A running Invoke endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface LambdaServer extends Functions {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
}

/**
 * Options of the Lambda server: the functions to register at start.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Functions to register at start. */
  readonly functions?: Readonly<Record<string, Handler | FunctionDefinition>> | undefined
}

/**
 * Starts the endpoint on an ephemeral port of 127.0.0.1; it stops when the scope closes, interrupting any execution
 * still running.
 *
 * @example
 * ```ts
 * import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda"
 * import { LambdaServer } from "@rebound/aws/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* LambdaServer.make({ functions: { echo: (event) => ({ echo: event }) } })
 *   yield* server.register("slow", () => Effect.sleep("50 millis"), { reservedConcurrency: 2 })
 *   const client = new LambdaClient({
 *     region: "us-east-1",
 *     endpoint: server.url,
 *     credentials: { accessKeyId: "x", secretAccessKey: "x" }
 *   })
 *   yield* Effect.promise(() => client.send(new InvokeCommand({ FunctionName: "echo", Payload: "{}" })))
 *   return yield* server.executions("echo") // { started: 1, completed: 1, … }
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<LambdaServer, LabError, Scope.Scope> = internal.make
