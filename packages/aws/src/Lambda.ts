/**
 * Lambda as an Effect service: every operation fails with `ThrottlingError | TransientError | FatalError` and retries
 * under rebound's policies, plus an `invoke` that tells function errors apart and never runs a function twice by
 * accident.
 *
 * - A function error (HTTP 200 with `X-Amz-Function-Error`) becomes its own typed failure, {@link FunctionError},
 *   carrying the decoded error payload — not a success, as the SDK returns it.
 * - Throttling keeps Lambda's `Reason` (`ReservedFunctionConcurrentInvocationLimitExceeded`, …) in `throttleReason`.
 * - `Invoke` is not idempotent: it is retried only after failures that prove the function did not run — a 429, a
 *   refused connection, a DNS failure — unless the caller marks the call idempotent. A timeout, a reset after the
 *   request was sent or a 5xx may mean the function ran, so it is not repeated (both SDKs repeat it). Lambda's 502
 *   configuration errors (`KMSAccessDeniedException`, `InvalidSubnetIDException`, …) are fatal.
 *
 * Default per-attempt timeout: 905 s, above Lambda's 900 s maximum function timeout; so is the default socket timeout
 * (`socketTimeout`), since the connection is silent while the function runs.
 *
 * @since 0.1.0
 */
import {
  InvokeCommand,
  type InvokeCommandInput,
  LambdaClient,
  type LambdaClientConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes
} from "@aws-sdk/client-lambda"
import type { CallError, InvalidOption } from "@rebound/core"
import type { CommandIO } from "@smithy/types"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as AwsAsync from "./AwsAsync.js"
import * as AwsCall from "./AwsCall.js"
import type * as ClientConfig from "./ClientConfig.js"
import * as service from "./internal/service.js"

/**
 * The function ran and failed. `payload` is its decoded error payload (usually `{ errorType, errorMessage, trace }`).
 * The message names the function and the error type only: the error message and payload are the function's data.
 *
 * @since 0.1.0
 * @category errors
 */
export class FunctionError extends Data.TaggedError("FunctionError")<{
  readonly functionName: string
  /** `"Unhandled"` (the runtime caught it) or `"Handled"`. */
  readonly kind: string
  readonly errorType: string | undefined
  readonly errorMessage: string | undefined
  readonly payload: unknown
  readonly executedVersion: string | undefined
  readonly requestId: string | undefined
}> {
  /**
   * The function and its error type, and that the function ran and is not retried.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `Lambda function ${this.functionName} failed: ${this.errorType ?? "an error"} (${this.kind}). ` +
      "The function ran; rebound does not retry it. Read `payload` for its error."
  }
}

/**
 * `Invoke`'s input with the payload as a JSON value (or raw bytes / a string).
 *
 * @since 0.1.0
 * @category models
 */
export interface InvokeInput extends Omit<InvokeCommandInput, "Payload"> {
  readonly payload?: unknown
}

/**
 * What `invoke` returns: the status, the decoded payload, the version that ran, the log tail and the request id.
 *
 * @since 0.1.0
 * @category models
 */
export interface InvokeResult {
  /** 200 for `RequestResponse`, 202 for `Event`, 204 for `DryRun`. */
  readonly statusCode: number | undefined
  /** The decoded response: JSON if it parses, else a string; `undefined` when empty. */
  readonly payload: unknown
  readonly executedVersion: string | undefined
  /** The tail of the function's log, decoded, when `LogType: "Tail"` was asked for. */
  readonly log: string | undefined
  readonly requestId: string | undefined
}

/**
 * The Lambda service: every command, and an `invoke` that decodes payloads and types function errors.
 *
 * @since 0.1.0
 * @category models
 */
export interface LambdaService {
  readonly client: LambdaClient
  /**
   * The scope that owns this client's guard state (quota, budget, limiter, breaker): pass it as `scope` to
   * `RetryQuota.current`, `AdaptiveLimiter.current`, `CircuitBreaker.current` to read it.
   */
  readonly guardScope: string
  /** Any Lambda command, typed by its input and output. */
  readonly send: <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: CommandIO<I, O>,
    options?: AwsCall.SendOptions
  ) => Effect.Effect<O, CallError.CallError>
  /** Invokes a function; a function error is a {@link FunctionError}. */
  readonly invoke: (
    input: InvokeInput,
    options?: AwsCall.SendOptions
  ) => Effect.Effect<InvokeResult, CallError.CallError | FunctionError>
}

/**
 * The tag of the Lambda service.
 *
 * @since 0.1.0
 * @category tags
 */
export class Lambda extends Context.Tag("@rebound/aws/Lambda")<Lambda, LambdaService>() {}

/**
 * Options of the Lambda service: connection, policies, timeouts, rules and extra `LambdaClient` settings.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = ClientConfig.ServiceOptions<
  Omit<LambdaClientConfig, "maxAttempts" | "retryMode" | "retryStrategy">
>

const decoder = new TextDecoder()

const decode = (bytes: Uint8Array | undefined | null): unknown => {
  if (bytes === undefined || bytes === null || bytes.length === 0) return undefined
  const text = decoder.decode(bytes)
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const encode = (payload: unknown): Uint8Array | undefined =>
  payload === undefined ?
    undefined :
    payload instanceof Uint8Array ?
    payload :
    new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload))

const withPayload = (input: Omit<InvokeCommandInput, "Payload">, payload: Uint8Array | undefined): InvokeCommandInput =>
  payload === undefined ? input : { ...input, Payload: payload }

const field = (payload: unknown, name: string): string | undefined => {
  if (typeof payload !== "object" || payload === null) return undefined
  const value = (payload as Record<string, unknown>)[name]
  return typeof value === "string" ? value : undefined
}

/**
 * Builds the service; the client lives as long as the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<LambdaService, InvalidOption.InvalidOptionError, Scope.Scope> =>
  Effect.map(
    service.make(
      "Lambda",
      (config) => new LambdaClient(config),
      // A synchronous invoke is silent on the wire while the function runs: up to its 900 s maximum.
      { ...options, socketTimeout: options.socketTimeout ?? "905 seconds" },
      "905 seconds"
    ),
    (svc): LambdaService => ({
      client: svc.sdkClient,
      guardScope: svc.scope,
      send: (command, callOptions) => svc.within(AwsCall.send(svc, command, callOptions)),
      invoke: ({ payload, ...input }, callOptions) =>
        Effect.flatMap(
          svc.within(AwsCall.send(svc, new InvokeCommand(withPayload(input, encode(payload))), callOptions)),
          (out): Effect.Effect<InvokeResult, FunctionError> => {
            const decoded = decode(out.Payload)
            if (out.FunctionError !== undefined) {
              return Effect.fail(
                new FunctionError({
                  functionName: input.FunctionName ?? "",
                  kind: out.FunctionError,
                  errorType: field(decoded, "errorType"),
                  errorMessage: field(decoded, "errorMessage"),
                  payload: decoded,
                  executedVersion: out.ExecutedVersion,
                  requestId: out.$metadata.requestId
                })
              )
            }
            return Effect.succeed({
              statusCode: out.StatusCode,
              payload: decoded,
              executedVersion: out.ExecutedVersion,
              log: out.LogResult === undefined ? undefined : Buffer.from(out.LogResult, "base64").toString("utf8"),
              requestId: out.$metadata.requestId
            })
          }
        )
    })
  )

/**
 * A layer with static options.
 *
 * @example
 * ```ts
 * import * as Lambda from "@rebound/aws/Lambda"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const lambda = yield* Lambda.Lambda
 *   const result = yield* lambda.invoke({ FunctionName: "resize-image", payload: { key: "cat.png" } })
 *   return result.payload
 * }).pipe(
 *   Effect.catchTag("FunctionError", (e) => Effect.succeed({ failedWith: e.errorType })),
 *   Effect.provide(Lambda.layer({ region: "eu-west-1" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Lambda, InvalidOption.InvalidOptionError> =>
  Layer.scoped(Lambda, make(options))

/**
 * A layer whose options are read with `effect/Config` (see `ClientConfig.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options>
): Layer.Layer<Lambda, ConfigError.ConfigError | InvalidOption.InvalidOptionError> =>
  Layer.scoped(Lambda, Effect.flatMap(config, make))

/**
 * Lambda for Promise-based code: the service's operations on an {@link AwsAsync.AwsRuntime}, each a Promise that
 * resolves with the result or rejects with the typed failure (a function's own error is a {@link FunctionError}).
 *
 * @since 0.1.0
 * @category models
 */
export interface LambdaAsync {
  readonly client: LambdaClient
  /** Any Lambda command, typed by its input and output. */
  readonly send: <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: CommandIO<I, O>,
    options?: AwsAsync.CallOptions
  ) => Promise<O>
  /** Invokes a function; never repeated after a failure where it may have run, unless marked idempotent. */
  readonly invoke: (input: InvokeInput, options?: AwsAsync.CallOptions) => Promise<InvokeResult>
}

/**
 * The async face of the Lambda service in a runtime built by `AwsAsync.make`.
 *
 * @example
 * ```ts
 * import { AwsAsync } from "@rebound/aws"
 * import * as Lambda from "@rebound/aws/Lambda"
 *
 * export const resize = async () => {
 *   const aws = await AwsAsync.make(Lambda.layer({ region: "eu-west-1" }))
 *   const lambda = Lambda.async(aws)
 *   try {
 *     const result = await lambda.invoke({ FunctionName: "resize", payload: { key: "cat.png" } })
 *     console.log(result.payload)
 *   } catch (error) {
 *     if (error instanceof Lambda.FunctionError) console.log(`the function failed: ${error.errorType}`)
 *     else throw error
 *   } finally {
 *     await aws.dispose()
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category async
 */
export const async = (runtime: AwsAsync.AwsRuntime<Lambda>): LambdaAsync => {
  const lambda = Context.get(runtime.runtime.context, Lambda)
  return {
    client: lambda.client,
    send: (command, { signal, ...options } = {}) => runtime.run(lambda.send(command, options), { signal }),
    invoke: (input, { signal, ...options } = {}) => runtime.run(lambda.invoke(input, options), { signal })
  }
}
