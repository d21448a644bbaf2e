/**
 * Settings for AWS SDK v3 clients whose retries rebound owns, and for rebound's S3, DynamoDB and Lambda services.
 *
 * @since 0.1.0
 */
import { Presets, RetryPolicy } from "@rebound/core"
import type { RetryStrategy } from "@smithy/types"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as AwsCall from "./AwsCall.js"
import type * as AwsError from "./AwsError.js"
import * as awsConfig from "./internal/awsConfig.js"
import { durationForms, parseDuration, retryModes, validateClient } from "./internal/options.js"

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
  /**
   * Time a connection may stay silent — nothing sent, nothing received, the response body included — before the
   * request fails with a `TimeoutError` (a stalled S3 body ends instead of hanging). Default 60 seconds (the SDK has
   * none); rebound's Lambda service uses 905 seconds, since a synchronous invoke is silent while the function runs.
   */
  readonly socketTimeout?: Duration.DurationInput | undefined
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
 * multiply, connecting has a timeout, and so has a silent connection (a response body that stops arriving). A bad
 * option (`connectionTimeout: NaN`, a region with spaces, an endpoint that is not a URL) throws an `InvalidOptionError`
 * naming it, as `RetryPolicy.make` does. The clients rebound's service layers build also take the {@link passThrough}
 * retry strategy, so the SDK's retry middleware does no work at all; add it yourself to a client you build for
 * `AwsCall.send` (a setting you can still override, as the lab's tests do with `maxAttempts`). Either way
 * `AwsCall.send` sends what the SDK's retry middleware would have put on the wire (`amz-sdk-invocation-id`, one per
 * call, and `amz-sdk-request: attempt=N; max=M`) and fills `$metadata.attempts` and `$metadata.totalRetryDelay`.
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
export const owned = (options: ClientOptions = {}) => {
  const timeouts = Either.getOrThrowWith(validateClient("ClientConfig.owned", options), (error) => error)
  return ownedConfig(
    options,
    timeouts.connectionTimeout ?? Duration.seconds(3),
    timeouts.socketTimeout ?? Duration.seconds(60)
  )
}

const ownedConfig = (
  options: ClientOptions,
  connectionTimeout: Duration.Duration,
  socketTimeout: Duration.Duration
) => ({
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
    connectionTimeout: Duration.toMillis(connectionTimeout),
    socketTimeout: Duration.toMillis(socketTimeout)
  }
})

/**
 * An AWS retry mode, as `AWS_RETRY_MODE`, `retry_mode` in the shared config file, or a client's `retryMode` name it.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryMode = "standard" | "adaptive" | "legacy"

/**
 * Everything a rebound service is built from: how to reach it, how to retry it, and extra SDK client settings.
 *
 * How the policy of a service is chosen, most specific first (see {@link retryModePolicy} for the modes):
 *
 * 1. `policy` given here (or `REBOUND_RETRY_POLICY` through {@link config}): used as it is; `AWS_RETRY_MODE`,
 *    `AWS_MAX_ATTEMPTS` and the shared config file are not read, as a client's `retryStrategy` makes the SDK ignore
 *    them. A `maxAttempts` given beside it still applies.
 * 2. Otherwise the retry mode — `retryMode` here, else `AWS_RETRY_MODE`, else `retry_mode` in the shared config file
 *    — picks a preset, and the attempts — `maxAttempts` here, else `AWS_MAX_ATTEMPTS`, else `max_attempts` in the
 *    file — replace its own. This is the SDK for JavaScript's precedence: client option, environment, config file.
 * 3. With attempts but no mode, the policy in context (`RetryPolicy.CurrentRetryPolicy`, default `Presets.rebound`)
 *    runs with those attempts; with neither, it runs as it is.
 *
 * A policy given for an operation (`operations`) or a call still wins over all of these.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceOptions<Sdk = never> extends ClientOptions {
  /** The service's policy; default: chosen from the AWS settings below, else the policy in context. */
  readonly policy?: RetryPolicy.RetryPolicy | undefined
  /**
   * Attempts, counting the first call, like the SDK client's `maxAttempts`: overrides `AWS_MAX_ATTEMPTS` and
   * `max_attempts`, and applies to `policy` when both are given.
   */
  readonly maxAttempts?: number | undefined
  /** Like the SDK client's `retryMode`: overrides `AWS_RETRY_MODE` and `retry_mode`. Not together with `policy`. */
  readonly retryMode?: RetryMode | undefined
  /** Per-attempt timeout, greater than zero (`Infinity` for none); each service has its own default. */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** Per-operation policy, timeout and idempotency, keyed by the operation's SDK name (`GetItem`). */
  readonly operations?: Readonly<Record<string, AwsCall.OperationSettings>> | undefined
  /** Codes declared throttling, transient or fatal. */
  readonly rules?: AwsError.Rules | undefined
  /**
   * Who owns the guard state (quota, budget, limiter, breaker) of this service's calls. By default each client
   * instance — each layer built — owns its own, released when the layer closes: a dead region's breaker never opens a
   * healthy one's. Give several services the same name to share state on purpose (it then lives as long as the store).
   */
  readonly guardScope?: string | undefined
  /**
   * Extra SDK client settings (e.g. `forcePathStyle` for S3, `profile`). The SDK's `maxAttempts`, `retryMode` and
   * `retryStrategy` are refused here: rebound owns retries (use `policy`, `maxAttempts` or `retryMode`).
   */
  readonly sdk?: Sdk | undefined
}

/**
 * The preset an AWS retry mode stands for in rebound, as the AWS SDK for JavaScript v3 runs it:
 *
 * | mode | DynamoDB | every other service |
 * | --- | --- | --- |
 * | `standard` | `Presets.awsJs2026DynamoDB` | `Presets.awsJs2026` |
 * | `adaptive` | `Presets.awsJs2026DynamoDB` plus `Presets.awsJs2026Adaptive`'s limiter | `Presets.awsJs2026Adaptive` |
 * | `legacy` | as `standard` | as `standard` |
 *
 * The SDK for JavaScript v3 has no legacy mode: it runs standard mode for `legacy`, so a plain SDK client and a
 * rebound service in the same environment make the same attempts. botocore's legacy mode (boto3's default) is
 * `Presets.botocoreLegacy`; name it with `policy` or `REBOUND_RETRY_POLICY=botocoreLegacy`.
 *
 * @example
 * ```ts
 * import { ClientConfig } from "@rebound/aws"
 *
 * const policy = ClientConfig.retryModePolicy("adaptive", "S3")
 * console.log(policy.name) // "aws-js-2026-adaptive"
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const retryModePolicy: (mode: RetryMode, service: string) => RetryPolicy.RetryPolicy = awsConfig.retryModePolicy

const normalizedName = (name: string) => name.trim().replace(/^Presets\./i, "").replace(/[-_\s]/g, "").toLowerCase()

/** Presets by the name code uses (`awsJs2026`); the kebab-case names of earlier releases normalise to the same key. */
const presetsByName: ReadonlyMap<string, RetryPolicy.RetryPolicy> = new Map(
  Object.entries(Presets).flatMap(([key, value]) =>
    RetryPolicy.isRetryPolicy(value) ? [[normalizedName(key), value] as const] : []
  )
)
const presetNames = Object.entries(Presets).filter(([, value]) => RetryPolicy.isRetryPolicy(value)).map(([key]) => key)

/**
 * The preset a name stands for: the name code uses (`awsJs2026`, also as `Presets.awsJs2026`) or the preset's own
 * `name` (`aws-js-2026`), in any case.
 *
 * @example
 * ```ts
 * import { ClientConfig } from "@rebound/aws"
 * import { Option } from "effect"
 *
 * console.log(Option.map(ClientConfig.presetNamed("botocoreLegacy"), (p) => p.maxAttempts)) // Some(5)
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const presetNamed = (name: string): Option.Option<RetryPolicy.RetryPolicy> =>
  Option.fromNullable(presetsByName.get(normalizedName(name)))

const invalidData = (name: string, expected: string, value: string) =>
  Either.left(ConfigError.InvalidData([name], `${name} must be ${expected}; got ${JSON.stringify(value)}`))

const optional = <A>(c: Config.Config<A>) => Config.map(Config.option(c), Option.getOrUndefined)

/** A variable read as a string, empty counting as unset (as the AWS SDKs read theirs), then parsed. */
const variable = <A>(name: string, parse: (value: string) => A | undefined, expected: string) =>
  optional(
    Config.string(name).pipe(
      Config.mapOrFail((value) => {
        if (value.trim().length === 0) return Either.right(undefined)
        const parsed = parse(value)
        return parsed === undefined ? invalidData(name, expected, value) : Either.right(parsed)
      })
    )
  ).pipe(Config.map((value) => value ?? undefined))

/**
 * Service options read with `effect/Config`. All variables are optional:
 *
 * | variable | option |
 * | --- | --- |
 * | `AWS_REGION` | `region` |
 * | `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_DYNAMODB`), else `AWS_ENDPOINT_URL` | `endpoint` |
 * | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (secrets read as `Redacted`) | `credentials` |
 * | `AWS_RETRY_MODE`: `standard`, `adaptive` or `legacy` (see {@link retryModePolicy}) | `retryMode` |
 * | `AWS_MAX_ATTEMPTS`: attempts, counting the first call | `maxAttempts` |
 * | `REBOUND_RETRY_POLICY`: a preset as code names it — `awsJs2026`, `Presets.botocoreLegacy`, `rebound` — or by its own name (`aws-js-2026`) | `policy` |
 * | `REBOUND_ATTEMPT_TIMEOUT`: `5s`, `5 seconds`, `500ms`, `500 millis`, `1m30s`, `Infinity`, or a number of milliseconds (`5000`) | `attemptTimeout` |
 *
 * `REBOUND_RETRY_POLICY` names the whole policy, so `AWS_RETRY_MODE` is then left out; `AWS_MAX_ATTEMPTS` still sets
 * its attempts. A value that cannot be read fails with a `ConfigError` naming the variable. The layer built from these
 * options also reads `retry_mode` and `max_attempts` from the shared config file for whichever setting is still unset
 * (see {@link ServiceOptions}).
 *
 * @example
 * ```ts
 * import { ClientConfig } from "@rebound/aws"
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 *
 * const live = DynamoDB.layerConfig(ClientConfig.config("DynamoDB"))
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const config = (service: string): Config.Config<ServiceOptions> => {
  const upper = service.toUpperCase()
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
    retryMode: variable("AWS_RETRY_MODE", awsConfig.parseRetryMode, `one of ${retryModes.join(", ")}`),
    maxAttempts: variable(
      "AWS_MAX_ATTEMPTS",
      awsConfig.parseMaxAttempts,
      "an integer ≥ 1 (attempts, counting the first call)"
    ),
    policy: variable(
      "REBOUND_RETRY_POLICY",
      (name) => Option.getOrUndefined(presetNamed(name)),
      `a preset name (${presetNames.join(", ")})`
    ),
    attemptTimeout: variable("REBOUND_ATTEMPT_TIMEOUT", (text) => {
      const duration = parseDuration(text)
      return duration !== undefined && Duration.toMillis(duration) > 0 ? duration : undefined
    }, `${durationForms}, greater than zero`)
  }).pipe(
    Config.map(({ policy, retryMode, ...rest }): ServiceOptions => ({
      ...rest,
      ...(policy !== undefined ? { policy } : retryMode !== undefined ? { retryMode } : {})
    }))
  )
}
