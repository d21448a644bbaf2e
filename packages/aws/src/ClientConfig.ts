/**
 * Settings for AWS SDK v3 clients whose retries rebound owns, and for rebound's S3, DynamoDB and Lambda services.
 *
 * @since 0.1.0
 */
import { Presets, type RetryPolicy } from "@rebound/core"
import type { RetryStrategy } from "@smithy/types"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as AwsCall from "./AwsCall.js"
import type * as AwsError from "./AwsError.js"

/**
 * Static credentials. In production leave them out and let the SDK's default provider chain find them. Secrets may be
 * `Redacted`, as `effect/Config` reads them; rebound never logs them either way.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string | Redacted.Redacted<string>
  readonly sessionToken?: string | Redacted.Redacted<string> | undefined
}

/**
 * How to reach the service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  readonly region?: string | undefined
  readonly endpoint?: string | undefined
  readonly credentials?: Credentials | undefined
  /** Time allowed to open a TCP connection. Default 3 seconds (the SDK has none). */
  readonly connectionTimeout?: Duration.DurationInput | undefined
}

const reveal = (
  secret: string | Redacted.Redacted<string>
) => (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)

/**
 * The SDK's retry middleware with rebound in charge: every request is handed straight on, once. Nothing is retried
 * twice, and none of the SDK's retry work (tokens, a quota, a race against the abort signal) is done for attempts
 * rebound decides anyway.
 *
 * @example
 * ```ts
 * import { ClientConfig } from "@rebound/aws"
 * import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
 *
 * const client = new DynamoDBClient({ region: "eu-west-1", retryStrategy: ClientConfig.passThrough })
 * client.destroy()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const passThrough: RetryStrategy = {
  retry: (next, args) => next(args)
}

/**
 * The SDK client configuration rebound uses: the SDK's own retries are off (`maxAttempts: 1`) so attempts never
 * multiply, and connecting has a timeout. The clients rebound's service layers build also take the
 * {@link passThrough} retry strategy, so the SDK's retry middleware does no work at all; add it yourself to a client
 * you build for `AwsCall.send` (a setting you can still override, as the lab's tests do with `maxAttempts`). Either
 * way `AwsCall.send` sends what the SDK's retry middleware would have put on the wire (`amz-sdk-invocation-id`, one
 * per call, and `amz-sdk-request: attempt=N; max=M`) and fills `$metadata.attempts` and `$metadata.totalRetryDelay`.
 *
 * @example
 * ```ts
 * import { ClientConfig } from "@rebound/aws"
 * import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
 *
 * const client = new DynamoDBClient(ClientConfig.owned({ region: "eu-west-1" }))
 * client.destroy()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const owned = (options: ClientOptions = {}) => ({
  maxAttempts: 1,
  ...(options.region !== undefined ? { region: options.region } : {}),
  ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
  ...(options.credentials !== undefined ?
    {
      credentials: {
        accessKeyId: options.credentials.accessKeyId,
        secretAccessKey: reveal(options.credentials.secretAccessKey),
        ...(options.credentials.sessionToken !== undefined ?
          { sessionToken: reveal(options.credentials.sessionToken) } :
          {})
      }
    } :
    {}),
  requestHandler: {
    connectionTimeout: Duration.toMillis(options.connectionTimeout ?? Duration.seconds(3))
  }
})

/**
 * Everything a rebound service is built from: how to reach it, how to retry it, and extra SDK client settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceOptions<Sdk = never> extends ClientOptions {
  /** The service's policy; default: the policy in context (`RetryPolicy.CurrentRetryPolicy`). */
  readonly policy?: RetryPolicy.RetryPolicy | undefined
  /** Per-attempt timeout; each service has its own default. */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** Per-operation policy, timeout and idempotency. */
  readonly operations?: Readonly<Record<string, AwsCall.OperationSettings>> | undefined
  /** Codes declared throttling, transient or fatal. */
  readonly rules?: AwsError.Rules | undefined
  /**
   * Who owns the guard state (quota, budget, limiter, breaker) of this service's calls. By default each client
   * instance — each layer built — owns its own, released when the layer closes: a dead region's breaker never opens a
   * healthy one's. Give several services the same name to share state on purpose (it then lives as long as the store).
   */
  readonly guardScope?: string | undefined
  /** Extra SDK client settings (e.g. `forcePathStyle` for S3). `maxAttempts` is always 1. */
  readonly sdk?: Sdk | undefined
}

const presetsByName = new Map(Presets.all.map((p) => [p.name, p] as const))

/**
 * Service options read with `effect/Config`, using AWS's own variable names where they exist: `AWS_REGION`,
 * `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_DYNAMODB`) or `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID` with
 * `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (read as `Redacted`), and rebound's `REBOUND_RETRY_POLICY` (a
 * preset name such as `aws-js-2026`) and `REBOUND_ATTEMPT_TIMEOUT` (e.g. `5 seconds`). All are optional.
 *
 * @example
 * ```ts
 * import { ClientConfig, DynamoDB } from "@rebound/aws"
 *
 * const live = DynamoDB.layerConfig(ClientConfig.config("DynamoDB"))
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const config = (service: string): Config.Config<ServiceOptions> => {
  const upper = service.toUpperCase()
  const optional = <A>(c: Config.Config<A>) => Config.map(Config.option(c), Option.getOrUndefined)
  return Config.all({
    region: optional(Config.string("AWS_REGION")),
    endpoint: optional(
      Config.string(`AWS_ENDPOINT_URL_${upper}`).pipe(Config.orElse(() => Config.string("AWS_ENDPOINT_URL")))
    ),
    credentials: optional(Config.all({
      accessKeyId: Config.string("AWS_ACCESS_KEY_ID"),
      secretAccessKey: Config.redacted("AWS_SECRET_ACCESS_KEY"),
      sessionToken: optional(Config.redacted("AWS_SESSION_TOKEN"))
    })),
    policy: optional(
      Config.string("REBOUND_RETRY_POLICY").pipe(
        Config.mapOrFail((name) => {
          const preset = presetsByName.get(name)
          return preset !== undefined ?
            Either.right(preset) :
            Either.left(ConfigError.InvalidData(
              ["REBOUND_RETRY_POLICY"],
              `expected a preset name (${[...presetsByName.keys()].join(", ")}); got ${name}`
            ))
        })
      )
    ),
    attemptTimeout: optional(Config.duration("REBOUND_ATTEMPT_TIMEOUT"))
  })
}
