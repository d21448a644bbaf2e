import { Backoff, InvalidOption, RetryPolicy } from "@rebound/core"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as AwsCall from "../AwsCall.js"
import type * as ClientConfig from "../ClientConfig.js"
import type * as DynamoDB from "../DynamoDB.js"
import type * as S3 from "../S3.js"

/** The retry modes the AWS SDKs read from `AWS_RETRY_MODE` and `retry_mode`. @internal */
export const retryModes = ["standard", "adaptive", "legacy"] as const

const unitMillis: Readonly<Record<string, number>> = (() => {
  const table: Array<[ReadonlyArray<string>, number]> = [
    [["ns", "nano", "nanos", "nanosecond", "nanoseconds"], 1e-6],
    [["us", "µs", "micro", "micros", "microsecond", "microseconds"], 1e-3],
    [["ms", "milli", "millis", "millisecond", "milliseconds", "msec", "msecs"], 1],
    [["s", "sec", "secs", "second", "seconds"], 1_000],
    [["m", "min", "mins", "minute", "minutes"], 60_000],
    [["h", "hr", "hrs", "hour", "hours"], 3_600_000],
    [["d", "day", "days"], 86_400_000],
    [["w", "week", "weeks"], 604_800_000]
  ]
  return Object.fromEntries(table.flatMap(([names, ms]) => names.map((name) => [name, ms] as const)))
})()

/** What a duration string may look like, for error messages. @internal */
export const durationForms =
  "a duration such as \"5s\", \"5 seconds\", \"500ms\", \"500 millis\", \"1m30s\", or a number of milliseconds"

/**
 * Parses the duration forms rebound documents: Effect's (`"5 seconds"`, `"500 millis"`), the short ones operators
 * write (`"5s"`, `"500ms"`, `"1m30s"`), a bare number of milliseconds (`"5000"`) and `"Infinity"`. Negative values and
 * anything else are refused.
 * @internal
 */
export const parseDuration = (text: string): Duration.Duration | undefined => {
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.millis(Number(trimmed))
  if (/^\+?infinity$/i.test(trimmed)) return Duration.infinity
  if (trimmed.length === 0) return undefined
  let millis = 0
  let rest = trimmed
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)\s*([a-zµ]+)\s*/i.exec(rest)
    const unit = match === null ? undefined : unitMillis[match[2]!.toLowerCase()]
    if (match === null || unit === undefined) return undefined
    millis += Number(match[1]) * unit
    rest = rest.slice(match[0].length)
  }
  return Duration.millis(millis)
}

/**
 * A duration option as a `Duration`, or `undefined` when the value is not a duration at all. Negative numbers and
 * NaN are refused here, where `Duration.decode` would turn them into zero.
 * @internal
 */
export const durationOf = (value: unknown): Duration.Duration | undefined => {
  if (Duration.isDuration(value)) return value
  if (typeof value === "number") return Number.isNaN(value) || value < 0 ? undefined : Duration.millis(value)
  if (typeof value === "bigint") return value < 0n ? undefined : Duration.nanos(value)
  if (typeof value === "string") return parseDuration(value)
  if (
    Array.isArray(value) && value.length === 2 &&
    value.every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0)
  ) {
    return Duration.decode(value as [number, number])
  }
  return undefined
}

const render = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  if (value === undefined || value === null) return String(value)
  if (Duration.isDuration(value)) return Duration.format(value) || "0 millis"
  if (Array.isArray(value)) return "an array"
  return typeof value === "function" ? "a function" : "an object"
}

/** Thrown inside a check, caught by {@link check}. */
const fail = (constructorName: string, field: string, value: string, expected: string): never => {
  throw new InvalidOption.InvalidOptionError({ constructorName, field, value, expected })
}

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && !Redacted.isRedacted(u)

const noOtherKeys = (
  where: string,
  prefix: string,
  value: Record<string, unknown>,
  known: ReadonlyArray<string>
) => {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && value[key] !== undefined) {
      fail(where, `${prefix}${key}`, "an unknown option", `one of ${known.join(", ")}`)
    }
  }
}

/** A positive duration; `Infinity` only where `infinite` allows it. */
const positiveDuration = (
  where: string,
  field: string,
  value: unknown,
  options: { readonly infinite: boolean }
): Duration.Duration => {
  const duration = durationOf(value)
  if (duration === undefined) return fail(where, field, render(value), durationForms)
  const millis = Duration.toMillis(duration)
  if (millis <= 0) return fail(where, field, render(value), "a duration greater than zero")
  if (!Number.isFinite(millis) && !options.infinite) return fail(where, field, render(value), "a finite duration")
  return duration
}

const policyOption = (where: string, field: string, value: unknown): RetryPolicy.RetryPolicy =>
  RetryPolicy.isRetryPolicy(value) ?
    value :
    fail(where, field, render(value), "a RetryPolicy (RetryPolicy.make, or one of Presets)")

const failureClasses = ["throttling", "transient", "fatal"]

const classTable = (where: string, field: string, value: unknown): void => {
  if (!isRecord(value)) return fail(where, field, render(value), "an object of error code → failure class")
  for (const [code, failureClass] of Object.entries(value)) {
    if (!failureClasses.includes(failureClass as string)) {
      fail(where, `${field}.${code}`, render(failureClass), `one of ${failureClasses.join(", ")}`)
    }
  }
}

const operationKeys = ["policy", "attemptTimeout", "idempotent"]

/** Per-operation settings, with durations decoded. */
const operationSettings = (where: string, field: string, value: unknown): AwsCall.OperationSettings => {
  if (!isRecord(value)) return fail(where, field, render(value), "an object with policy, attemptTimeout, idempotent")
  noOtherKeys(where, `${field}.`, value, operationKeys)
  if (value.idempotent !== undefined && typeof value.idempotent !== "boolean") {
    fail(where, `${field}.idempotent`, render(value.idempotent), "true or false")
  }
  return {
    ...(value.policy !== undefined ? { policy: policyOption(where, `${field}.policy`, value.policy) } : {}),
    ...(value.attemptTimeout !== undefined ?
      { attemptTimeout: positiveDuration(where, `${field}.attemptTimeout`, value.attemptTimeout, { infinite: true }) } :
      {}),
    ...(value.idempotent !== undefined ? { idempotent: value.idempotent as boolean } : {})
  }
}

const sendKeys = [...operationKeys, "resource", "cleanup"]

const sendOptions = (where: string, prefix: string, value: unknown): AwsCall.SendOptions => {
  if (!isRecord(value)) return fail(where, prefix.replace(/\.$/, "") || "options", render(value), "an object")
  noOtherKeys(where, prefix, value, sendKeys)
  if (value.resource !== undefined && (typeof value.resource !== "string" || value.resource.length === 0)) {
    fail(where, `${prefix}resource`, render(value.resource), "a non-empty string")
  }
  if (value.cleanup !== undefined && typeof value.cleanup !== "boolean") {
    fail(where, `${prefix}cleanup`, render(value.cleanup), "a boolean")
  }
  const { cleanup: _cleanup, resource: _resource, ...settings } = value
  return {
    ...operationSettings(where, prefix.replace(/\.$/, "") || "options", settings),
    ...(value.resource !== undefined ? { resource: value.resource as string } : {}),
    ...(value.cleanup !== undefined ? { cleanup: value.cleanup as boolean } : {})
  }
}

/** Service options after validation: durations decoded. @internal */
export interface Normalized extends ClientConfig.ServiceOptions<object> {
  readonly attemptTimeout?: Duration.Duration | undefined
  readonly connectionTimeout?: Duration.Duration | undefined
  readonly socketTimeout?: Duration.Duration | undefined
  readonly retryMode?: ClientConfig.RetryMode | undefined
}

/** Every option a service takes; anything else is refused (a misspelt option would otherwise do nothing). */
const serviceKeys = [
  "region",
  "endpoint",
  "credentials",
  "connectionTimeout",
  "socketTimeout",
  "policy",
  "maxAttempts",
  "retryMode",
  "attemptTimeout",
  "operations",
  "rules",
  "guardScope",
  "sdk"
]

/** Settings rebound owns on every client it builds. */
const retrySettings = ["maxAttempts", "retryStrategy", "retryMode"]

const secret = (where: string, field: string, value: unknown, required: boolean) => {
  if (value === undefined && !required) return
  const ok = Redacted.isRedacted(value) || (typeof value === "string" && value.length > 0)
  // The value is a secret: say what it is, never what it holds.
  if (!ok) fail(where, field, value === "" ? "an empty string" : typeof value, "a non-empty string or Redacted")
}

/** Names an invalid AWS region the way the SDK would refuse it, but when the layer is built. */
const regionPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

/** How to reach the service: region, endpoint, credentials. The connection timeout is decoded by the caller. */
const checkClient = (where: string, o: Record<string, unknown>): void => {
  if (o.region !== undefined && (typeof o.region !== "string" || !regionPattern.test(o.region))) {
    fail(where, "region", render(o.region), "an AWS region such as \"eu-west-1\"")
  }
  if (o.endpoint !== undefined) {
    const url = typeof o.endpoint === "string" && URL.canParse(o.endpoint) ? new URL(o.endpoint) : undefined
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      fail(where, "endpoint", render(o.endpoint), "an http:// or https:// URL")
    }
  }
  if (o.credentials !== undefined) {
    if (!isRecord(o.credentials)) fail(where, "credentials", render(o.credentials), "an object")
    const c = o.credentials as Record<string, unknown>
    // No check for other keys here: the SDK marks the credentials objects it is given (`$source`).
    if (typeof c.accessKeyId !== "string" || c.accessKeyId.length === 0) {
      fail(
        where,
        "credentials.accessKeyId",
        c.accessKeyId === "" ? "an empty string" : typeof c.accessKeyId,
        "a non-empty string"
      )
    }
    secret(where, "credentials.secretAccessKey", c.secretAccessKey, true)
    secret(where, "credentials.sessionToken", c.sessionToken, false)
  }
}

/** Classification rules: error codes, and per operation, mapped to a failure class. */
const checkRules = (where: string, value: unknown): void => {
  if (!isRecord(value)) fail(where, "rules", render(value), "an object with codes and operations")
  const rules = value as Record<string, unknown>
  noOtherKeys(where, "rules.", rules, ["codes", "operations"])
  if (rules.codes !== undefined) classTable(where, "rules.codes", rules.codes)
  if (rules.operations !== undefined) {
    if (!isRecord(rules.operations)) fail(where, "rules.operations", render(rules.operations), "an object")
    for (const [name, table] of Object.entries(rules.operations as Record<string, unknown>)) {
      classTable(where, `rules.operations.${name}`, table)
    }
  }
}

const nonEmpty = (where: string, field: string, value: unknown, expected: string): void => {
  if (typeof value !== "string" || value.length === 0) fail(where, field, render(value), expected)
}

const guardScopeExpected = "a non-empty string naming the guard state's owner"

const check = (where: string, options: unknown): Normalized => {
  if (options === undefined) return {}
  if (!isRecord(options)) return fail(where, "options", render(options), "an object")
  noOtherKeys(where, "", options, serviceKeys)
  const o = options
  checkClient(where, o)
  if (o.policy !== undefined) policyOption(where, "policy", o.policy)
  if (o.guardScope !== undefined) nonEmpty(where, "guardScope", o.guardScope, guardScopeExpected)
  if (o.maxAttempts !== undefined && !(Number.isInteger(o.maxAttempts) && (o.maxAttempts as number) >= 1)) {
    fail(where, "maxAttempts", render(o.maxAttempts), "an integer ≥ 1 (attempts, counting the first call)")
  }
  if (o.retryMode !== undefined) {
    if (!retryModes.includes(o.retryMode as never)) {
      fail(where, "retryMode", render(o.retryMode), `one of ${retryModes.join(", ")}`)
    }
    if (o.policy !== undefined) fail(where, "retryMode", render(o.retryMode), "left out when a policy is given")
  }
  if (o.operations !== undefined && !isRecord(o.operations)) {
    fail(where, "operations", render(o.operations), "an object of operation name → settings")
  }
  const operations = o.operations === undefined ? undefined : Object.fromEntries(
    Object.entries(o.operations as Record<string, unknown>).map(([name, settings]) => {
      if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) {
        fail(where, `operations.${name}`, render(name), "an operation as the SDK names it, e.g. GetItem")
      }
      return [name, operationSettings(where, `operations.${name}`, settings)] as const
    })
  )
  if (o.rules !== undefined) checkRules(where, o.rules)
  if (o.sdk !== undefined) {
    if (!isRecord(o.sdk)) fail(where, "sdk", render(o.sdk), "an object of SDK client settings")
    for (const key of retrySettings) {
      if ((o.sdk as Record<string, unknown>)[key] !== undefined) {
        fail(
          where,
          `sdk.${key}`,
          "set",
          "left out: rebound owns the SDK's retries (use policy, maxAttempts or retryMode)"
        )
      }
    }
  }
  return {
    ...(o as ClientConfig.ServiceOptions<object>),
    ...(o.attemptTimeout !== undefined ?
      { attemptTimeout: positiveDuration(where, "attemptTimeout", o.attemptTimeout, { infinite: true }) } :
      {}),
    ...clientTimeouts(where, o),
    ...(operations !== undefined ? { operations } : {})
  } as Normalized
}

const attempt = <A>(run: () => A): Either.Either<A, InvalidOption.InvalidOptionError> => {
  try {
    return Either.right(run())
  } catch (error) {
    if (InvalidOption.isInvalidOptionError(error)) return Either.left(error)
    throw error
  }
}

/**
 * Validates a service's options, naming the first bad field; durations come back decoded.
 * @internal
 */
export const validateService = (
  constructorName: string,
  options: unknown
): Either.Either<Normalized, InvalidOption.InvalidOptionError> => attempt(() => check(constructorName, options))

const strategyKeys = ["service", "idempotent", "rules", "runtime", "guardScope"]

/**
 * Validates `RetryStrategy.make`'s policy and options, naming the first bad field.
 * @internal
 */
export const validateStrategy = (
  policy: unknown,
  options: unknown
): Either.Either<void, InvalidOption.InvalidOptionError> =>
  attempt(() => {
    const where = "RetryStrategy.make"
    policyOption(where, "policy", policy)
    if (!isRecord(options)) return fail(where, "options", render(options), "an object with the client's `service`")
    noOtherKeys(where, "", options, strategyKeys)
    nonEmpty(where, "service", options.service, "a non-empty service name, e.g. \"DynamoDB\"")
    if (options.idempotent !== undefined && typeof options.idempotent !== "boolean") {
      fail(where, "idempotent", render(options.idempotent), "a boolean")
    }
    if (options.rules !== undefined) checkRules(where, options.rules)
    if (options.guardScope !== undefined) nonEmpty(where, "guardScope", options.guardScope, guardScopeExpected)
    const runtime = options.runtime
    if (runtime !== undefined && !(isRecord(runtime) && "context" in runtime && "fiberRefs" in runtime)) {
      fail(where, "runtime", render(runtime), "an Effect Runtime (e.g. from Effect.runtime or ManagedRuntime)")
    }
  })

/**
 * Validates one call's options (`prefix` locates them inside a larger options object, e.g. `"send."`).
 * @internal
 */
export const validateSend = (
  constructorName: string,
  options: unknown,
  prefix = ""
): Either.Either<AwsCall.SendOptions, InvalidOption.InvalidOptionError> =>
  attempt(() => sendOptions(constructorName, prefix, options))

/**
 * Validates the parts of an `AwsCall.Service` a caller built by hand.
 * @internal
 */
export const validateCallService = (
  service: AwsCall.Service
): Either.Either<AwsCall.Service, InvalidOption.InvalidOptionError> =>
  attempt(() => {
    const where = `AwsCall.send (service ${service.name})`
    const { attemptTimeout, client: _client, name: _name, operations, policy, rules: _rules } = service
    if (policy !== undefined) policyOption(where, "policy", policy)
    if (operations !== undefined && !isRecord(operations)) fail(where, "operations", render(operations), "an object")
    return {
      ...service,
      ...(attemptTimeout !== undefined ?
        { attemptTimeout: positiveDuration(where, "attemptTimeout", attemptTimeout, { infinite: true }) } :
        {}),
      ...(operations !== undefined ?
        {
          operations: Object.fromEntries(
            Object.entries(operations).map((
              [name, settings]
            ) => [name, operationSettings(where, `operations.${name}`, settings)])
          )
        } :
        {})
    }
  })

/**
 * Validates the options of `batchWriteAll` / `batchGetAll`; `maxElapsed` comes back decoded.
 * @internal
 */
export const validateBatch = (
  constructorName: string,
  options: DynamoDB.BatchOptions | undefined
): Either.Either<DynamoDB.BatchOptions | undefined, InvalidOption.InvalidOptionError> =>
  attempt(() => {
    if (options === undefined) return undefined
    if (!isRecord(options)) return fail(constructorName, "options", render(options), "an object")
    noOtherKeys(constructorName, "options.", options, ["concurrency", "maxElapsed", "backoff", "send"])
    const { backoff, concurrency, maxElapsed, send } = options
    if (
      concurrency !== undefined &&
      !(typeof concurrency === "number" && Number.isInteger(concurrency) && concurrency >= 1)
    ) {
      fail(constructorName, "options.concurrency", render(concurrency), "an integer ≥ 1")
    }
    if (backoff !== undefined && !(isRecord(backoff) && Backoff.TypeId in backoff)) {
      fail(constructorName, "options.backoff", render(backoff), "a Backoff (Backoff.make)")
    }
    return {
      ...options,
      ...(maxElapsed !== undefined ?
        { maxElapsed: positiveDuration(constructorName, "options.maxElapsed", maxElapsed, { infinite: true }) } :
        {}),
      ...(send !== undefined ? { send: sendOptions(constructorName, "options.send.", send) } : {})
    }
  })

/**
 * Validates the call options inside `S3.upload`'s options (its own sizes are checked where they are used).
 * @internal
 */
export const validateUpload = (
  options: S3.UploadOptions | undefined
): Either.Either<S3.UploadOptions | undefined, InvalidOption.InvalidOptionError> =>
  attempt(() => {
    if (options === undefined) return undefined
    if (!isRecord(options)) return fail("S3.upload", "options", render(options), "an object")
    noOtherKeys("S3.upload", "options.", options, ["partSize", "queueSize", "send"])
    return options.send === undefined ?
      options :
      { ...options, send: sendOptions("S3.upload", "options.send.", options.send) }
  })

/**
 * Validates the options of `ClientConfig.owned` (which builds a plain SDK client's settings, so other settings may
 * ride along); the connection timeout comes back decoded.
 * @internal
 */
export const validateClient = (
  constructorName: string,
  options: unknown
): Either.Either<ClientTimeouts, InvalidOption.InvalidOptionError> =>
  attempt(() => {
    if (options === undefined) return {}
    if (!isRecord(options)) return fail(constructorName, "options", render(options), "an object")
    checkClient(constructorName, options)
    return clientTimeouts(constructorName, options)
  })

/** The connection and socket timeouts of client options, decoded. @internal */
export interface ClientTimeouts {
  readonly connectionTimeout?: Duration.Duration | undefined
  readonly socketTimeout?: Duration.Duration | undefined
}

const clientTimeouts = (where: string, o: Record<string, unknown>): ClientTimeouts => ({
  ...(o.connectionTimeout !== undefined ?
    { connectionTimeout: positiveDuration(where, "connectionTimeout", o.connectionTimeout, { infinite: false }) } :
    {}),
  ...(o.socketTimeout !== undefined ?
    { socketTimeout: positiveDuration(where, "socketTimeout", o.socketTimeout, { infinite: false }) } :
    {})
})
