/**
 * S3 as an Effect service: every operation fails with `ThrottlingError | TransientError | FatalError` (a 503
 * `SlowDown` is throttling, with its code kept) and retries under rebound's policies, plus an `upload` that survives
 * network failures part by part.
 *
 * `upload` sends bodies up to one part as a single `PutObject`, larger ones as a multipart upload whose parts are
 * uploaded `queueSize` at a time, each retried on its own (the SDK's `lib-storage` fails the whole upload on the
 * first part failure). A body that can be read only once — a Node `Readable`, a web `ReadableStream`, an async
 * iterable — is cut into buffered parts, so every part can be sent again; it is never retried blindly. If the upload
 * finally fails or is interrupted, `AbortMultipartUpload` runs so no orphaned parts stay billed.
 *
 * `getObject` reads the body inside the attempt: a body that stalls (no byte for `socketTimeout`, default 60 s) or
 * outlasts the attempt's deadline fails the attempt, and the whole `GetObject` is retried.
 *
 * Default per-attempt timeout: 60 s.
 *
 * @since 0.1.0
 */
import {
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type PutObjectCommandInput,
  S3Client,
  type S3ClientConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes
} from "@aws-sdk/client-s3"
import type { CallError, InvalidOption } from "@rebound/core"
import { InvalidOptionError } from "@rebound/core/InvalidOption"
import type { CommandIO } from "@smithy/types"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as AwsAsync from "./AwsAsync.js"
import * as AwsCall from "./AwsCall.js"
import type * as ClientConfig from "./ClientConfig.js"
import { readAll } from "./internal/body.js"
import { validateUpload } from "./internal/options.js"
import * as s3Upload from "./internal/s3Upload.js"
import { sendReading } from "./internal/send.js"
import * as service from "./internal/service.js"

/**
 * What `upload` accepts as a body.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadBody = string | Uint8Array | AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array>

/**
 * `PutObject`'s input with a body `upload` can cut into parts.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadInput extends Omit<PutObjectCommandInput, "Body" | "Bucket" | "Key" | "ContentLength"> {
  readonly Bucket: string
  readonly Key: string
  readonly Body: UploadBody
}

/**
 * Options of `upload`: the part size, how many parts are in flight, and the options of each call.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions {
  /** Bytes per part, at least 5 MiB (S3's minimum). Default 8 MiB. */
  readonly partSize?: number | undefined
  /** Parts in flight at once. Default 4. */
  readonly queueSize?: number | undefined
  /** Options of each underlying call. */
  readonly send?: AwsCall.SendOptions | undefined
}

/**
 * What `upload` returns: the object's bucket, key and ETag, and how it was sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadResult {
  readonly Bucket: string
  readonly Key: string
  readonly ETag: string | undefined
  readonly multipart: boolean
  readonly parts: number
  readonly bytes: number
}

/**
 * `GetObject`'s output with the body read whole.
 *
 * @since 0.1.0
 * @category models
 */
export interface GetObjectResult extends Omit<GetObjectCommandOutput, "Body"> {
  readonly Body: Uint8Array
}

/**
 * The S3 service: every command, and an upload that retries each part on its own.
 *
 * @since 0.1.0
 * @category models
 */
export interface S3Service {
  readonly client: S3Client
  /**
   * The scope that owns this client's guard state (quota, budget, limiter, breaker): pass it as `scope` to
   * `RetryQuota.current`, `AdaptiveLimiter.current`, `CircuitBreaker.current` to read it.
   */
  readonly guardScope: string
  /** Any S3 command, typed by its input and output. */
  readonly send: <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: CommandIO<I, O>,
    options?: AwsCall.SendOptions
  ) => Effect.Effect<O, CallError.CallError>
  /**
   * Gets an object and reads its body whole inside the attempt, so the attempt's deadline covers the body and a body
   * that stalls or breaks (`socketTimeout`, a reset) fails the attempt and the whole `GetObject` is retried. With
   * `send(new GetObjectCommand(…))` the body is read after the call returned, where nothing retries it. The object is
   * held in memory: read large objects in ranges (`Range: "bytes=0-8388607"`).
   */
  readonly getObject: (
    input: GetObjectCommandInput,
    options?: AwsCall.SendOptions
  ) => Effect.Effect<GetObjectResult, CallError.CallError>
  /** Uploads a body of any size, multipart when it is larger than one part. */
  readonly upload: (
    input: UploadInput,
    options?: UploadOptions
  ) => Effect.Effect<UploadResult, CallError.CallError | InvalidOption.InvalidOptionError>
}

/**
 * The tag of the S3 service.
 *
 * @since 0.1.0
 * @category tags
 */
export class S3 extends Context.Tag("@rebound/aws/S3")<S3, S3Service>() {}

/**
 * Options of the S3 service: connection, policies, timeouts, rules and extra `S3Client` settings.
 *
 * @since 0.1.0
 * @category models
 */
export type Options =
  & ClientConfig.ServiceOptions<Omit<S3ClientConfig, "maxAttempts" | "retryMode" | "retryStrategy">>
  & {
    /**
     * Where hedged requests go (a policy with `hedging`): `"fresh"` (default), a second client of the same
     * configuration with its own connection pool, so each hedge opens a new connection with a fresh DNS lookup, as
     * AWS's S3 performance guidance advises for slow requests; `"shared"`, the service's own client. A request handler
     * object of your own in `sdk.requestHandler` is shared by both clients either way.
     */
    readonly hedgeConnection?: "fresh" | "shared" | undefined
  }

/**
 * Builds the service; the client lives as long as the scope.
 *
 * @example
 * ```ts
 * import * as S3 from "@rebound/aws/S3"
 * import { ListBucketsCommand } from "@aws-sdk/client-s3"
 * import { Effect } from "effect"
 *
 * // The service in a scope of your own instead of a layer; the client is destroyed when the scope closes.
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const s3 = yield* S3.make({ region: "eu-west-1" })
 *     return yield* s3.send(new ListBucketsCommand({}))
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<S3Service, InvalidOption.InvalidOptionError, Scope.Scope> => {
  const { hedgeConnection, ...serviceOptions } = options ?? {}
  if (hedgeConnection !== undefined && hedgeConnection !== "fresh" && hedgeConnection !== "shared") {
    return Effect.fail(
      new InvalidOptionError({
        constructorName: "S3.layer",
        field: "hedgeConnection",
        value: JSON.stringify(hedgeConnection) ?? String(hedgeConnection),
        expected: "\"fresh\" or \"shared\""
      })
    )
  }
  return Effect.map(
    service.make("S3", (config) => new S3Client(config), serviceOptions, "60 seconds", hedgeConnection !== "shared"),
    (svc): S3Service => ({
      client: svc.sdkClient,
      guardScope: svc.scope,
      send: (command, callOptions) => svc.within(AwsCall.send(svc, command, callOptions)),
      getObject: (input, callOptions) =>
        svc.within(sendReading(
          svc,
          new GetObjectCommand(input),
          callOptions ?? {},
          async (output, signal): Promise<GetObjectResult> => ({ ...output, Body: await readAll(output.Body, signal) })
        )),
      upload: (input, uploadOptions) =>
        Effect.flatMap(validateUpload(uploadOptions), (checked) => svc.within(s3Upload.upload(svc, input, checked)))
    })
  )
}

/**
 * A layer with static options.
 *
 * @example
 * ```ts
 * import * as S3 from "@rebound/aws/S3"
 * import { HeadObjectCommand } from "@aws-sdk/client-s3"
 * import { Effect } from "effect"
 * import { createReadStream } from "node:fs"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3.S3
 *   const uploaded = yield* s3.upload({ Bucket: "reports", Key: "2026/11/big.csv", Body: createReadStream("big.csv") })
 *   const object = yield* s3.getObject({ Bucket: "reports", Key: uploaded.Key })
 *   const head = yield* s3.send(new HeadObjectCommand({ Bucket: "reports", Key: uploaded.Key }))
 *   return object.Body.length === head.ContentLength
 * }).pipe(Effect.provide(S3.layer({ region: "eu-west-1" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<S3, InvalidOption.InvalidOptionError> =>
  Layer.scoped(S3, make(options))

/**
 * A layer whose options are read with `effect/Config` (see `ClientConfig.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options>
): Layer.Layer<S3, ConfigError.ConfigError | InvalidOption.InvalidOptionError> =>
  Layer.scoped(S3, Effect.flatMap(config, make))

/**
 * S3 for Promise-based code: the service's operations on an {@link AwsAsync.AwsRuntime}, each a Promise that resolves
 * with the result or rejects with the typed failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface S3Async {
  readonly client: S3Client
  /** Any S3 command, typed by its input and output. */
  readonly send: <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: CommandIO<I, O>,
    options?: AwsAsync.CallOptions
  ) => Promise<O>
  /** Uploads a body of any size, multipart when it is larger than one part, each part retried on its own. */
  readonly upload: (input: UploadInput, options?: UploadOptions & AwsAsync.RunOptions) => Promise<UploadResult>
}

/**
 * The async face of the S3 service in a runtime built by `AwsAsync.make`.
 *
 * @example
 * ```ts
 * import { AwsAsync } from "@rebound/aws"
 * import * as S3 from "@rebound/aws/S3"
 * import { createReadStream } from "node:fs"
 *
 * export const uploadReport = async (path: string) => {
 *   const aws = await AwsAsync.make(S3.layer({ region: "eu-west-1" }))
 *   try {
 *     const uploaded = await S3.async(aws).upload({ Bucket: "reports", Key: path, Body: createReadStream(path) })
 *     console.log(`${uploaded.parts} parts`)
 *   } finally {
 *     await aws.dispose()
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category async
 */
export const async = (runtime: AwsAsync.AwsRuntime<S3>): S3Async => {
  const s3 = Context.get(runtime.runtime.context, S3)
  return {
    client: s3.client,
    send: (command, { signal, ...options } = {}) => runtime.run(s3.send(command, options), { signal }),
    upload: (input, { signal, ...options } = {}) => runtime.run(s3.upload(input, options), { signal })
  }
}
