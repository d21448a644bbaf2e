/**
 * The local AWS lab: real DynamoDB (dynalite), S3 (s3rver) and Lambda (the in-project {@link LambdaServer})
 * endpoints on 127.0.0.1, each behind the {@link FaultProxy}, for testing code that calls AWS through the real
 * `@aws-sdk/client-*` clients.
 *
 * Everything listens on 127.0.0.1 only, on ephemeral ports, and closes when the scope closes: the servers, the
 * proxies, s3rver's child process and its temporary directory. The lab needs the live `Clock` (real HTTP, real
 * timeouts): in `@effect/vitest` use `it.live`, or `layer(Lab.layer(), { excludeTestServices: true })`.
 *
 * @since 0.1.0
 */
import type { InvalidOptionError } from "@rebound/core/InvalidOption"
import type * as Context from "effect/Context"
import { GenericTag } from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as ClientConfig from "../ClientConfig.js"
import * as DynamoDB from "../DynamoDB.js"
import * as Lambda from "../Lambda.js"
import * as S3 from "../S3.js"
import type * as FaultProxy from "./FaultProxy.js"
import * as internal from "./internal/lab.js"
import type { LabError } from "./LabError.js"
import type * as LambdaServer from "./LambdaServer.js"

/**
 * A URL per service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoints {
  readonly dynamodb: string
  readonly s3: string
  readonly lambda: string
}

/**
 * Settings for an SDK client in the lab: spread them into the client's constructor. The SDK's own retries are off
 * (`maxAttempts: 1`), as under rebound; override `requestHandler` to add a request timeout.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSettings {
  readonly region: string
  readonly endpoint: string
  /** `S3RVER`/`S3RVER`, the only pair s3rver accepts; the other servers accept any. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  readonly maxAttempts: number
  readonly requestHandler: { readonly connectionTimeout: number }
}

/**
 * S3 settings: path-style addressing, and checksums only when required (otherwise the SDK streams bodies in
 * aws-chunked framing, which s3rver stores verbatim).
 *
 * @since 0.1.0
 * @category models
 */
export interface S3ClientSettings extends ClientSettings {
  readonly forcePathStyle: true
  readonly requestChecksumCalculation: "WHEN_REQUIRED"
  readonly responseChecksumValidation: "WHEN_REQUIRED"
}

/**
 * Settings for plain SDK clients pointed at the lab, one per service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientConfigs {
  readonly dynamodb: ClientSettings
  readonly s3: S3ClientSettings
  readonly lambda: ClientSettings
}

/**
 * A table made by {@link Lab.createTable}: string keys, on-demand billing. The hash key defaults to `pk`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TableOptions {
  readonly hashKey?: string | undefined
  readonly rangeKey?: string | undefined
}

/**
 * A running lab. Fault scripting, chaos, capacity and the request log come from {@link FaultProxy.Controls};
 * function registration and execution counts from {@link LambdaServer.Functions}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lab extends FaultProxy.Controls, LambdaServer.Functions {
  /** The fault proxies: what clients should use. */
  readonly endpoints: Endpoints
  /** The servers themselves, bypassing faults. */
  readonly upstreams: Endpoints
  /** Client settings pointed at the proxies. */
  readonly clientConfig: ClientConfigs
  /** Client settings pointed at the servers, for checking what really happened. */
  readonly upstreamClientConfig: ClientConfigs
  /** Creates a DynamoDB table (directly on the server, so faults never hit it). */
  readonly createTable: (name: string, options?: TableOptions) => Effect.Effect<void, LabError>
  /** Creates an S3 bucket (directly on the server). Names are validated: 3 to 63 characters. */
  readonly createBucket: (name: string) => Effect.Effect<void, LabError>
  /** s3rver's child process and its data directory, both gone once the lab closes. */
  readonly s3rver: { readonly directory: string; readonly pid: number }
}

/**
 * The tag of a running lab, provided by `layer` and `layerWithServices`.
 *
 * @since 0.1.0
 * @category tags
 */
export const Lab: Context.Tag<Lab, Lab> = GenericTag<Lab>("@rebound/aws/testing/Lab")

/**
 * Options of the lab: the region, and the tables, buckets and Lambda functions to create at start.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The region in the client settings. Default `us-east-1`. */
  readonly region?: string | undefined
  /** Tables to create at start (see {@link TableOptions} for their shape). */
  readonly tables?: ReadonlyArray<string> | undefined
  /** Buckets to create at start. */
  readonly buckets?: ReadonlyArray<string> | undefined
  /** Lambda functions to register at start. */
  readonly functions?: LambdaServer.Options["functions"]
  /**
   * Fixed ports for the fault proxies clients talk to, on 127.0.0.1; a service left out gets a free port. A port in use
   * fails the lab with a `LabError` naming it.
   */
  readonly ports?: Partial<Readonly<Record<keyof Endpoints, number>>> | undefined
}

/**
 * Starts the lab; it stops when the scope closes.
 *
 * @example
 * ```ts
 * import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb"
 * import { Fault, Lab } from "@rebound/aws/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const lab = yield* Lab.make({ tables: ["orders"] })
 *   yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle() })
 *   const client = new DynamoDBClient(lab.clientConfig.dynamodb)
 *   const result = yield* Effect.tryPromise(() =>
 *     client.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "1" } } }))
 *   ).pipe(Effect.either) // Left: ProvisionedThroughputExceededException
 *   client.destroy()
 *   return result
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Lab, LabError, Scope.Scope> = internal.make

/**
 * The lab as a layer, for sharing one lab between tests.
 *
 * @example
 * ```ts
 * import { Lab } from "@rebound/aws/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const lab = yield* Lab.Lab
 *   yield* lab.register("echo", (event) => event, { reservedConcurrency: 1 })
 *   return lab.endpoints.lambda
 * }).pipe(Effect.provide(Lab.layer({ buckets: ["uploads"] })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Lab, LabError> => Layer.scoped(Lab, make(options))

/**
 * How rebound's services in the lab retry: applied to all three, with per-service overrides.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceOptions
  extends Omit<ClientConfig.ServiceOptions, "region" | "endpoint" | "credentials" | "sdk">
{
  readonly dynamodb?: Omit<DynamoDB.Options, "region" | "endpoint" | "credentials"> | undefined
  readonly s3?: Omit<S3.Options, "region" | "endpoint" | "credentials"> | undefined
  readonly lambda?: Omit<Lambda.Options, "region" | "endpoint" | "credentials"> | undefined
}

const reach = (settings: ClientSettings) => ({
  region: settings.region,
  endpoint: settings.endpoint,
  credentials: settings.credentials
})

/**
 * rebound's `DynamoDB`, `S3` and `Lambda` services pointed at a running lab's fault proxies.
 *
 * @since 0.1.0
 * @category layers
 */
export const services = (
  lab: Lab,
  options: ServiceOptions = {}
): Layer.Layer<DynamoDB.DynamoDB | S3.S3 | Lambda.Lambda, InvalidOptionError> => {
  const { dynamodb, lambda, s3, ...common } = options
  return Layer.mergeAll(
    DynamoDB.layer({ ...common, ...dynamodb, ...reach(lab.clientConfig.dynamodb) }),
    S3.layer({
      ...common,
      ...s3,
      ...reach(lab.clientConfig.s3),
      sdk: {
        ...s3?.sdk,
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED"
      }
    }),
    Lambda.layer({ ...common, ...lambda, ...reach(lab.clientConfig.lambda) })
  )
}

/**
 * The lab and rebound's services pointed at it, in one scoped layer: everything closes with the scope.
 *
 * @example
 * ```ts
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 * import { Fault, Lab } from "@rebound/aws/testing"
 * import { GetItemCommand } from "@aws-sdk/client-dynamodb"
 * import { RetryPolicy } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const fast = RetryPolicy.make({ name: "fast", base: "5 millis", throttling: { base: "5 millis" } })
 * const program = Effect.gen(function*() {
 *   const lab = yield* Lab.Lab
 *   const ddb = yield* DynamoDB.DynamoDB
 *   yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.throttle(), times: 2 })
 *   return yield* ddb.send(new GetItemCommand({ TableName: "orders", Key: { pk: { S: "1" } } }))
 * }).pipe(Effect.provide(Lab.layerWithServices({ tables: ["orders"] }, { policy: fast })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithServices = (
  options?: Options,
  serviceOptions?: ServiceOptions
): Layer.Layer<Lab | DynamoDB.DynamoDB | S3.S3 | Lambda.Lambda, LabError | InvalidOptionError> =>
  Layer.unwrapScoped(
    Effect.map(make(options), (lab) => Layer.merge(Layer.succeed(Lab, lab), services(lab, serviceOptions)))
  )
