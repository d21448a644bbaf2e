import { InvalidOption, Presets, RetryPolicy } from "@rebound/core"
import { DEFAULT_PROFILE, getHomeDir, loadSharedConfigFiles } from "@smithy/core/config"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import type * as ClientConfig from "../ClientConfig.js"
import { retryModes } from "./options.js"

/** AWS SDK for JavaScript v3 adaptive mode on the DynamoDB client: its standard curves (4 attempts, 25 ms base) plus the limiter. */
const awsJs2026AdaptiveDynamoDB = RetryPolicy.modify(Presets.awsJs2026DynamoDB, {
  name: "aws-js-2026-adaptive-dynamodb",
  description:
    "AWS SDK for JavaScript v3 adaptive mode, 2026 behaviour, DynamoDB client: 4 attempts, 25 ms base, plus the CUBIC rate limiter (@aws-sdk/client-dynamodb 3.1169.0)",
  limiter: Presets.awsJs2026Adaptive.limiter
})

/**
 * The preset an AWS retry mode stands for, as the SDK for JavaScript v3 runs it. The JavaScript SDK has no legacy
 * mode: it runs standard mode for `legacy` (and for any value but `adaptive`), so rebound does the same.
 * @internal
 */
export const retryModePolicy = (mode: ClientConfig.RetryMode, service: string): RetryPolicy.RetryPolicy => {
  const dynamodb = service === "DynamoDB"
  if (mode === "adaptive") return dynamodb ? awsJs2026AdaptiveDynamoDB : Presets.awsJs2026Adaptive
  return dynamodb ? Presets.awsJs2026DynamoDB : Presets.awsJs2026
}

/** Reads an AWS setting the way the SDK does: empty counts as unset. */
const setting = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map(Option.filter((value) => value.trim().length > 0)),
    Config.map(Option.getOrUndefined)
  )

const invalid = (constructorName: string, field: string, value: string, expected: string) =>
  new InvalidOption.InvalidOptionError({ constructorName, field, value: JSON.stringify(value), expected })

/** `AWS_RETRY_MODE` / `retry_mode`; the SDKs accept any case. @internal */
export const parseRetryMode = (value: string): ClientConfig.RetryMode | undefined => {
  const mode = value.trim().toLowerCase()
  return retryModes.find((m) => m === mode)
}

/** `AWS_MAX_ATTEMPTS` / `max_attempts`: attempts, counting the first call. @internal */
export const parseMaxAttempts = (value: string): number | undefined =>
  /^\s*\d+\s*$/.test(value) && Number(value) >= 1 ? Number(value) : undefined

const modeExpected = `one of ${retryModes.join(", ")}`
const attemptsExpected = "an integer ≥ 1 (attempts, counting the first call)"

/** What the environment and the shared config file say about retries. @internal */
export interface AwsRetrySettings {
  readonly retryMode?: ClientConfig.RetryMode | undefined
  readonly maxAttempts?: number | undefined
}

/**
 * Reads `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS` (through `effect/Config`), then, for whichever is still unset,
 * `retry_mode` and `max_attempts` from the shared config file, in the profile the SDK would use: `profile`, else
 * `AWS_PROFILE`, else `default`, in `AWS_CONFIG_FILE` (else `~/.aws/config`), merged over the shared credentials
 * file as the SDK merges them. Values the SDK would misread are refused, naming where they came from.
 * @internal
 */
export const awsRetrySettings = (
  constructorName: string,
  wanted: { readonly retryMode: boolean; readonly maxAttempts: boolean },
  profileOption: string | undefined
): Effect.Effect<AwsRetrySettings, InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    if (!wanted.retryMode && !wanted.maxAttempts) return {}
    const env = yield* Effect.orDie(Config.all({
      retryMode: setting("AWS_RETRY_MODE"),
      maxAttempts: setting("AWS_MAX_ATTEMPTS"),
      profile: setting("AWS_PROFILE"),
      configFile: setting("AWS_CONFIG_FILE"),
      credentialsFile: setting("AWS_SHARED_CREDENTIALS_FILE")
    }))
    let retryMode: ClientConfig.RetryMode | undefined
    let maxAttempts: number | undefined
    if (wanted.retryMode && env.retryMode !== undefined) {
      retryMode = parseRetryMode(env.retryMode)
      if (retryMode === undefined) {
        return yield* Effect.fail(
          invalid(constructorName, "AWS_RETRY_MODE (environment variable)", env.retryMode, modeExpected)
        )
      }
    }
    if (wanted.maxAttempts && env.maxAttempts !== undefined) {
      maxAttempts = parseMaxAttempts(env.maxAttempts)
      if (maxAttempts === undefined) {
        return yield* Effect.fail(
          invalid(constructorName, "AWS_MAX_ATTEMPTS (environment variable)", env.maxAttempts, attemptsExpected)
        )
      }
    }
    const needFile = (wanted.retryMode && retryMode === undefined) || (wanted.maxAttempts && maxAttempts === undefined)
    if (!needFile) return { retryMode, maxAttempts }

    const profile = profileOption ?? env.profile ?? DEFAULT_PROFILE
    const configFilepath = env.configFile ?? path.join(getHomeDir(), ".aws", "config")
    const files = yield* Effect.promise(() =>
      loadSharedConfigFiles({
        configFilepath,
        ...(env.credentialsFile !== undefined ? { filepath: env.credentialsFile } : {})
      })
    )
    // The SDK reads a profile from both files, the config file winning (`fromSharedConfigFiles`).
    const entries: Record<string, string | undefined> = {
      ...files.credentialsFile[profile],
      ...files.configFile[profile]
    }
    const where = (key: string) => `${key} (profile ${profile} in ${configFilepath})`
    const fileMode = entries["retry_mode"]
    if (wanted.retryMode && retryMode === undefined && fileMode !== undefined && fileMode.trim().length > 0) {
      retryMode = parseRetryMode(fileMode)
      if (retryMode === undefined) {
        return yield* Effect.fail(invalid(constructorName, where("retry_mode"), fileMode, modeExpected))
      }
    }
    const fileAttempts = entries["max_attempts"]
    if (
      wanted.maxAttempts && maxAttempts === undefined && fileAttempts !== undefined && fileAttempts.trim().length > 0
    ) {
      maxAttempts = parseMaxAttempts(fileAttempts)
      if (maxAttempts === undefined) {
        return yield* Effect.fail(invalid(constructorName, where("max_attempts"), fileAttempts, attemptsExpected))
      }
    }
    return { retryMode, maxAttempts }
  })

const renamed = (policy: RetryPolicy.RetryPolicy, maxAttempts: number) =>
  policy.maxAttempts === maxAttempts ?
    policy :
    RetryPolicy.modify(policy, { name: `${policy.name}/max-attempts-${maxAttempts}`, maxAttempts })

/**
 * `policy` with `maxAttempts` attempts, memoised per policy so a call does not rebuild it.
 * @internal
 */
export const withMaxAttempts = (maxAttempts: number) => {
  const cache = new WeakMap<RetryPolicy.RetryPolicy, RetryPolicy.RetryPolicy>()
  return (policy: RetryPolicy.RetryPolicy): RetryPolicy.RetryPolicy => {
    const cached = cache.get(policy)
    if (cached !== undefined) return cached
    const changed = renamed(policy, maxAttempts)
    cache.set(policy, changed)
    return changed
  }
}
