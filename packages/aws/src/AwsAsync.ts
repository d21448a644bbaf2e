/**
 * rebound's S3, DynamoDB and Lambda services for code that is not written in Effect.
 *
 * One runtime is built from the service layers — the same layers Effect code uses — and each service's async face
 * (`DynamoDB.async`, `S3.async`, `Lambda.async`) runs its calls on it as Promises: the same classification,
 * idempotency rules, per-attempt timeouts, batch redrive, multipart uploads, policies, guards and telemetry as the
 * Effect face, because it is the Effect face, run for you. A promise resolves with the call's value or rejects with
 * its typed failure itself — `ThrottlingError`, `TransientError` or `FatalError` (`CallError.isCallError`),
 * `Lambda.FunctionError`, `InvalidOptionError` — never a wrapper; aborting a call's `signal` stops its backoff, aborts
 * its HTTP request and rejects with an `AbortError`. `dispose()` closes everything (the SDK clients are destroyed).
 *
 * Compared with `RetryAsync.retryAsync` around a plain SDK client, nothing of rebound is lost: the idempotency table,
 * idempotency tokens pinned across retries, `batchWriteAll`/`batchGetAll`, `S3.upload`, per-attempt timeouts and the
 * per-service defaults all apply.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Runtime from "effect/Runtime"
import type * as Stream from "effect/Stream"
import type * as AwsCall from "./AwsCall.js"
import * as internal from "./internal/async.js"

/**
 * How one call runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Aborting it stops the call at once: its backoff, its HTTP request; the promise rejects with an `AbortError`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * The options of one service call, plus its `signal`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions extends AwsCall.SendOptions, RunOptions {}

/**
 * A running set of services, for Promise-based code. Build it once (at start-up), share it, dispose it at shutdown.
 *
 * @since 0.1.0
 * @category models
 */
export interface AwsRuntime<R> {
  /** The Effect runtime the services live in, for Effect code that should share them. */
  readonly runtime: Runtime.Runtime<R>
  /** Runs an effect that needs the services: resolves with its value, rejects with its typed failure. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, R>, options?: RunOptions) => Promise<A>
  /** A stream's elements, pulled as you iterate; leaving the loop early stops the stream. It rejects as `run` does. */
  readonly iterate: <A, E>(stream: Stream.Stream<A, E, R>) => AsyncIterable<A>
  /** Closes every service and destroys its SDK client. Later calls reject. */
  readonly dispose: () => Promise<void>
}

/**
 * Builds the services from their layers, at once: an option that is not valid, or an AWS setting that cannot be read
 * (`AWS_MAX_ATTEMPTS=three`), rejects here with its `InvalidOptionError`, before any call.
 *
 * @example
 * ```ts
 * import { AwsAsync } from "@rebound/aws"
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 * import * as S3 from "@rebound/aws/S3"
 * import { GetItemCommand } from "@aws-sdk/client-dynamodb"
 * import { CallError } from "@rebound/core"
 *
 * export const readOrder = async () => {
 *   const aws = await AwsAsync.make(DynamoDB.layer({ region: "eu-west-1" }), S3.layer({ region: "eu-west-1" }))
 *   const ddb = DynamoDB.async(aws)
 *   try {
 *     const order = await ddb.send(
 *       new GetItemCommand({ TableName: "orders", Key: { pk: { S: "o-1" } } }),
 *       { signal: AbortSignal.timeout(10_000) }
 *     )
 *     console.log(order.Item)
 *   } catch (error) {
 *     if (CallError.isThrottlingError(error)) console.log(`throttled; stopped: ${error.retries?.stopReason}`)
 *     else throw error
 *   } finally {
 *     await aws.dispose()
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <
  const Layers extends readonly [Layer.Layer<never, unknown, never>, ...Array<Layer.Layer<never, unknown, never>>]
>(...layers: Layers): Promise<AwsRuntime<{ [K in keyof Layers]: Layer.Layer.Success<Layers[K]> }[number]>> =>
  internal.makeAll(layers as unknown as ReadonlyArray<Layer.Layer<never, unknown>>) as Promise<
    AwsRuntime<{ [K in keyof Layers]: Layer.Layer.Success<Layers[K]> }[number]>
  >
