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
import type { CallError } from "@rebound/core"
import type { CommandIO } from "@smithy/types"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
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
  /** @since 0.1.0 */
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
 * @since 0.1.0
 * @category models
 */
export interface LambdaService {
  readonly client: LambdaClient
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
 * @since 0.1.0
 * @category tags
 */
export class Lambda extends Context.Tag("@rebound/aws/Lambda")<Lambda, LambdaService>() {}

/**
 * @since 0.1.0
 * @category models
 */
export type Options = ClientConfig.ServiceOptions<Omit<LambdaClientConfig, "maxAttempts" | "retryStrategy">>

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
export const make = (options: Options = {}): Effect.Effect<LambdaService, never, Scope.Scope> =>
  Effect.map(
    service.make(
      "Lambda",
      (config) => new LambdaClient(config),
      // A synchronous invoke is silent on the wire while the function runs: up to its 900 s maximum.
      { ...options, socketTimeout: options.socketTimeout ?? "905 seconds" },
      "905 seconds"
    ),
    (svc) => ({
      client: svc.client,
      send: (command, callOptions) => AwsCall.send(svc, command, callOptions),
      invoke: ({ payload, ...input }, callOptions) =>
        Effect.flatMap(
          AwsCall.send(svc, new InvokeCommand(withPayload(input, encode(payload))), callOptions),
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
 * import { Lambda } from "@rebound/aws"
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
export const layer = (options: Options = {}): Layer.Layer<Lambda> => Layer.scoped(Lambda, make(options))

/**
 * A layer whose options are read with `effect/Config` (see `ClientConfig.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<Options>): Layer.Layer<Lambda, ConfigError.ConfigError> =>
  Layer.scoped(Lambda, Effect.flatMap(config, make))
