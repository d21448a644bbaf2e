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
 * Default per-attempt timeout: 60 s.
 *
 * @since 0.1.0
 */
import {
  type PutObjectCommandInput,
  S3Client,
  type S3ClientConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes
} from "@aws-sdk/client-s3"
import type { CallError, InvalidOption } from "@rebound/core"
import type { CommandIO } from "@smithy/types"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as AwsCall from "./AwsCall.js"
import type * as ClientConfig from "./ClientConfig.js"
import * as s3Upload from "./internal/s3Upload.js"
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
  /** Uploads a body of any size, multipart when it is larger than one part. */
  readonly upload: (
    input: UploadInput,
    options?: UploadOptions
  ) => Effect.Effect<UploadResult, CallError.CallError | InvalidOption.InvalidOptionError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class S3 extends Context.Tag("@rebound/aws/S3")<S3, S3Service>() {}

/**
 * @since 0.1.0
 * @category models
 */
export type Options = ClientConfig.ServiceOptions<Omit<S3ClientConfig, "maxAttempts" | "retryStrategy">> & {
  /**
   * Where hedged requests go (a policy with `hedging`): `"fresh"` (default), a second client of the same
   * configuration with its own connection pool, so each hedge opens a new connection with a fresh DNS lookup, as AWS's
   * S3 performance guidance advises for slow requests; `"shared"`, the service's own client. A request handler object
   * of your own in `sdk.requestHandler` is shared by both clients either way.
   */
  readonly hedgeConnection?: "fresh" | "shared" | undefined
}

/**
 * Builds the service; the client lives as long as the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<S3Service, never, Scope.Scope> =>
  Effect.map(
    service.make("S3", (config) => new S3Client(config), options, "60 seconds", options.hedgeConnection !== "shared"),
    (svc) => ({
      client: svc.client,
      guardScope: svc.scope,
      send: (command, callOptions) => AwsCall.send(svc, command, callOptions),
      upload: (input, uploadOptions) => s3Upload.upload(svc, input, uploadOptions)
    })
  )

/**
 * A layer with static options.
 *
 * @example
 * ```ts
 * import { S3 } from "@rebound/aws"
 * import { GetObjectCommand } from "@aws-sdk/client-s3"
 * import { Effect } from "effect"
 * import { createReadStream } from "node:fs"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3.S3
 *   const uploaded = yield* s3.upload({ Bucket: "reports", Key: "2026/11/big.csv", Body: createReadStream("big.csv") })
 *   const object = yield* s3.send(new GetObjectCommand({ Bucket: "reports", Key: uploaded.Key }))
 *   return object.ContentLength
 * }).pipe(Effect.provide(S3.layer({ region: "eu-west-1" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<S3> => Layer.scoped(S3, make(options))

/**
 * A layer whose options are read with `effect/Config` (see `ClientConfig.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config.Config<Options>): Layer.Layer<S3, ConfigError.ConfigError> =>
  Layer.scoped(S3, Effect.flatMap(config, make))
