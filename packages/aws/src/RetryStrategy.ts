/**
 * rebound policies as the AWS SDK's own `RetryStrategyV2`, for code that keeps plain SDK clients: pass
 * `retryStrategy: RetryStrategy.make(policy, { service })` to any client and its calls gain rebound's classification,
 * decisions, quotas, budgets, limiter, breaker and events, inside the SDK's retry middleware (which keeps signing every
 * attempt, reusing idempotency tokens and sending its `amz-sdk-request` headers).
 *
 * The SDK does not tell a strategy which operation it runs, so every call of the client counts as operation
 * `"unknown"`, and ambiguous failures are retried only if you say the client's operations are idempotent. The SDK
 * does not report an attempt whose streaming request body failed; a half-open breaker's probe place held by such an
 * attempt is given back after the breaker's `probeTimeout`, so it can never lock the circuit. When rebound
 * stops, the SDK rethrows its own last error; rebound attaches its summary to it as `$retries`
 * (`{ attempts, totalDelayMs, elapsedMs, stopReason, policy }`: plain numbers of milliseconds), non-enumerable.
 *
 * @since 0.1.0
 */
import { type CallError, RetryPolicy } from "@rebound/core"
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from "@smithy/types"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Runtime from "effect/Runtime"
import type * as AwsError from "./AwsError.js"
import { classify } from "./internal/classify.js"
import { validateStrategy } from "./internal/options.js"
import { canonical } from "./internal/serviceName.js"

/**
 * Options of `make`: the service's name, idempotency, classification rules and the runtime.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The service name for failures, events and guard keys, e.g. `"DynamoDB"`. */
  readonly service: string
  /** May ambiguous failures be retried? Applies to every operation of the client. Default false. */
  readonly idempotent?: boolean | undefined
  readonly rules?: AwsError.Rules | undefined
  /** The runtime whose clock, randomness, state store and observers the strategy uses. */
  readonly runtime?: Runtime.Runtime<never> | undefined
  /**
   * Who owns the guard state of the client's calls. By default each strategy — each client it is given to — owns its
   * own; give strategies the same name to share quotas, budgets, limiters and breakers on purpose.
   */
  readonly guardScope?: string | undefined
}

class Token implements StandardRetryToken {
  readonly $retryLog: { acquisitionDelay: number }
  constructor(
    readonly session: RetryPolicy.Session,
    readonly count: number,
    readonly delay: number
  ) {
    this.$retryLog = { acquisitionDelay: 0 }
  }
  getRetryCount() {
    return this.count
  }
  getRetryDelay() {
    return this.delay
  }
  getRetryCost() {
    return undefined
  }
}

/**
 * What rebound attaches to the SDK's error as `$retries` when it stops: plain numbers, for readers outside Effect.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetriesSummary {
  /** Attempts made, counting the first. */
  readonly attempts: number
  /** Milliseconds slept between attempts. */
  readonly totalDelayMs: number
  /** Milliseconds from the first attempt to the decision to stop. */
  readonly elapsedMs: number
  readonly stopReason: CallError.StopReason
  readonly policy: string
}

const attachSummary = (sdkError: unknown, failure: CallError.CallError) => {
  const retries = failure.retries
  if (typeof sdkError === "object" && sdkError !== null && retries !== undefined) {
    const value: RetriesSummary = {
      attempts: retries.attempts,
      totalDelayMs: Duration.toMillis(retries.totalDelay),
      elapsedMs: Duration.toMillis(retries.elapsed),
      stopReason: retries.stopReason,
      policy: retries.policy
    }
    Object.defineProperty(sdkError, "$retries", { value, enumerable: false, configurable: true })
  }
}

let strategies = 0

/**
 * A `RetryStrategyV2` driven by a rebound policy. A policy that is not one, or an option that is not valid (a missing
 * `service`, an unknown key, a misspelt failure class in `rules`), throws an `InvalidOptionError` naming the field,
 * here, not at the first request.
 *
 * @example
 * ```ts
 * import { RetryStrategy } from "@rebound/aws"
 * import { Presets } from "@rebound/core"
 * import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
 *
 * const client = new DynamoDBClient({
 *   region: "eu-west-1",
 *   retryStrategy: RetryStrategy.make(Presets.awsJs2026DynamoDB, { service: "DynamoDB" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (policy: RetryPolicy.RetryPolicy, options: Options): RetryStrategyV2 => {
  const valid = validateStrategy(policy, options)
  if (Either.isLeft(valid)) throw valid.left
  const runtime = options.runtime ?? Runtime.defaultRuntime
  const run = Runtime.runPromise(runtime)
  const context = {
    service: canonical(options.service),
    operation: "unknown",
    idempotent: options.idempotent,
    scope: options.guardScope ?? `${options.service}(RetryStrategy)#${++strategies}`
  }
  return {
    acquireInitialRetryToken: async () => {
      const session = await run(RetryPolicy.session(policy, context))
      const go = await run(session.admit(0))
      if (go._tag === "Stop") throw go.error
      // Only a throttled client's adaptive limiter makes the first attempt wait, as in the SDK's adaptive mode.
      if (go.waitMillis > 0) await run(Effect.sleep(Duration.millis(go.waitMillis)))
      return new Token(session, 0, 0)
    },
    refreshRetryTokenForRetry: async (token, errorInfo: RetryErrorInfo) => {
      if (!(token instanceof Token)) throw new Error("RetryStrategy: a token from another strategy")
      const raw = errorInfo.error ?? errorInfo
      const nowMillis = await run(Clock.currentTimeMillis)
      const failure = classify(raw, { ...context, nowMillis }, options.rules)
      const next = await run(token.session.failed(failure))
      if (next._tag === "Stop") {
        attachSummary(raw, next.error)
        throw next.error
      }
      // The SDK sleeps the token's delay itself (abortably); the limiter's wait, if any, is added to it.
      const go = await run(token.session.admit(next.delayMillis))
      if (go._tag === "Stop") {
        attachSummary(raw, go.error)
        throw go.error
      }
      return new Token(token.session, token.count + 1, next.delayMillis + go.waitMillis)
    },
    recordSuccess: (token) => {
      if (token instanceof Token) Runtime.runFork(runtime)(token.session.succeeded)
    }
  }
}
