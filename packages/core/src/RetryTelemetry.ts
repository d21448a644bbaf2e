/**
 * Logs, metrics and spans for every call rebound runs.
 *
 * - Spans, whenever a tracer other than Effect's built-in one is installed (and tracing is not turned off with
 *   `Effect.withTracerEnabled(false)`): each call runs in a `rebound.call` span and each attempt in a child
 *   `rebound.attempt` span, with the service, operation, policy, attempt number, failure class, error code, HTTP status
 *   and request id as attributes, so `@effect/opentelemetry` exports them with no extra code. Effect's built-in tracer
 *   exports nothing, so under it rebound makes no span at all: tracing costs nothing when nobody traces.
 * - {@link logs}: a debug line per retry (the failure, the delay and why that delay) and a warning when retries stop,
 *   through Effect's `Logger`, annotated with service, operation and attempt. Effect's default minimum level hides
 *   debug lines; lower it with `Logger.withMinimumLogLevel(LogLevel.Debug)` to see every retry.
 * - {@link metrics}: `effect/Metric` counters for attempts, retries, hedges, throttles, failures and stops by reason;
 *   histograms for retry delay, limiter wait and whole-call latency; gauges for quota tokens, limiter rate and breaker
 *   state — tagged by service, operation and failure class.
 *
 * None of them ever see credentials, signatures, tokens or payloads: they are fed from `RetryEvent`s, which carry none.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as validate from "./internal/validate.js"
import * as RetryEvent from "./RetryEvent.js"

const delayBoundaries = MetricBoundaries.exponential({ start: 1, factor: 2, count: 18 })

/**
 * Attempts sent, the first of each call included. Tags: `service`, `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const attempts = Metric.counter("rebound_attempts_total", {
  description: "Attempts sent, first attempts included",
  incremental: true
})

/**
 * Retries scheduled. Tags: `service`, `operation`, `failure_class`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const retries = Metric.counter("rebound_retries_total", { description: "Retries scheduled", incremental: true })

/**
 * Attempts that failed. Tags: `service`, `operation`, `failure_class`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const failures = Metric.counter("rebound_attempt_failures_total", {
  description: "Attempts that failed",
  incremental: true
})

/**
 * Attempts the service throttled. Tags: `service`, `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const throttles = Metric.counter("rebound_throttles_total", {
  description: "Attempts refused by the service for rate or capacity",
  incremental: true
})

/**
 * Calls that failed because retries stopped. Tags: `service`, `operation`, `failure_class`, `reason`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const stops = Metric.counter("rebound_stops_total", {
  description: "Calls that failed, by the reason retries stopped",
  incremental: true
})

/**
 * Calls that succeeded. Tags: `service`, `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const successes = Metric.counter("rebound_successes_total", {
  description: "Calls that succeeded",
  incremental: true
})

/**
 * Calls that ended without a verdict: interrupted, a defect, or a failure that is not a `CallError`. Tags: `service`,
 * `operation`, `reason`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const aborted = Metric.counter("rebound_calls_aborted_total", {
  description: "Calls that ended without a verdict (interrupted, a defect, an unclassified failure)",
  incremental: true
})

/**
 * Hedges: `event` is `started`, `won`, `cancelled` (a losing copy aborted, the attempt itself included) or `skipped`
 * (due, but refused; `reason` says why). Tags: `service`, `operation`, `event`, and `reason` for `skipped`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const hedges = Metric.counter("rebound_hedges_total", {
  description: "Hedged requests started, won, cancelled and skipped",
  incremental: true
})

/**
 * Retry delays chosen, in milliseconds. Tags: `service`, `operation`, `failure_class`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const retryDelay = Metric.histogram("rebound_retry_delay_ms", delayBoundaries, "Retry delays chosen (ms)")

/**
 * Time attempts waited for an adaptive limiter, in milliseconds. Tags: `service`, `operation`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const limiterWait = Metric.histogram("rebound_limiter_wait_ms", delayBoundaries, "Limiter waits (ms)")

/**
 * Whole-call latency, retries and waits included, in milliseconds. Tags: `service`, `operation`, `outcome`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const callDuration = Metric.histogram("rebound_call_duration_ms", delayBoundaries, "Call latency (ms)")

/**
 * Tokens left in a retry quota. Tag: `key`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const quotaTokens = Metric.gauge("rebound_quota_tokens", { description: "Tokens left in a retry quota" })

/**
 * The rate an adaptive limiter allows, per second. Tag: `key`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const limiterRate = Metric.gauge("rebound_limiter_rate", { description: "Allowed send rate (1/s)" })

/**
 * A breaker's state: 0 closed, 1 half-open, 2 open. Tag: `key`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const breakerState = Metric.gauge("rebound_breaker_state", {
  description: "Circuit breaker state: 0 closed, 1 half-open, 2 open"
})

/**
 * Whether a fleet store runs on local guard state because its engine is unreachable: 1 fallen back, 0 fleet-wide.
 * Tag: `store`.
 *
 * @since 0.1.0
 * @category metrics
 */
export const storeFallback = Metric.gauge("rebound_store_fallback", {
  description: "1 while a fleet store's engine is unreachable and calls use local guard state, else 0"
})

const tag = <Type, In, Out>(metric: Metric.Metric<Type, In, Out>, tags: Record<string, string>) =>
  Object.entries(tags).reduce((m, [k, v]) => Metric.tagged(m, k, v), metric)

const callTags = (call: RetryEvent.CallInfo) => ({ service: call.service, operation: call.operation })

const breakerLevel = { Closed: 0, HalfOpen: 1, Open: 2 } as const

/**
 * Options of {@link metricsObserverWith}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetricsOptions {
  /**
   * Most distinct guard keys that get a gauge series of their own (`key` tag), per gauge. Keys are per client instance
   * and resource, so there can be millions of them; a metric series lives as long as the process. Beyond the bound, a
   * key's gauge updates go to the series `key="other"`. Default 100.
   */
  readonly maxKeySeries?: number | undefined
}

/**
 * An observer that updates the metrics, with options.
 *
 * @example
 * ```ts
 * import { RetryEvent, RetryTelemetry } from "@rebound/core"
 *
 * const metrics = RetryEvent.addObserver(RetryTelemetry.metricsObserverWith({ maxKeySeries: 20 }))
 * ```
 *
 * @since 0.1.0
 * @category observers
 */
export const metricsObserverWith = (options: MetricsOptions = {}): RetryEvent.RetryObserver => {
  const max = options.maxKeySeries ?? 100
  if (!Number.isInteger(max) || max < 0) {
    validate.fail("RetryTelemetry.metricsObserverWith", "maxKeySeries", max, "an integer ≥ 0")
  }
  // One set per gauge: a key keeps its own series once it has one; new keys beyond the bound share "other".
  const series = { quota: new Set<string>(), limiter: new Set<string>(), breaker: new Set<string>() }
  const keyTag = (gauge: keyof typeof series, key: string): string => {
    const seen = series[gauge]
    if (seen.has(key)) return key
    if (seen.size < max) {
      seen.add(key)
      return key
    }
    return "other"
  }
  return RetryEvent.$match({
    AttemptStarted: (e) => Metric.increment(tag(attempts, callTags(e.call))),
    AttemptDelayed: (e) => Metric.update(tag(limiterWait, callTags(e.call)), e.waitMillis),
    AttemptFailed: (e) => {
      const failed = Metric.increment(tag(failures, { ...callTags(e.call), failure_class: e.failure.failureClass }))
      return e.failure.failureClass === "throttling" ?
        Effect.zipRight(failed, Metric.increment(tag(throttles, callTags(e.call)))) :
        failed
    },
    RetryScheduled: (e) => {
      const tags = { ...callTags(e.call), failure_class: e.failure.failureClass }
      return Effect.zipRight(Metric.increment(tag(retries, tags)), Metric.update(tag(retryDelay, tags), e.delayMillis))
    },
    RetriesStopped: (e) =>
      Effect.zipRight(
        Metric.increment(
          tag(stops, { ...callTags(e.call), failure_class: e.failure.failureClass, reason: e.stopReason })
        ),
        Metric.update(tag(callDuration, { ...callTags(e.call), outcome: "failure" }), e.elapsedMillis)
      ),
    CallAborted: (e) =>
      Effect.zipRight(
        Metric.increment(tag(aborted, { ...callTags(e.call), reason: e.reason })),
        Metric.update(tag(callDuration, { ...callTags(e.call), outcome: "aborted" }), e.elapsedMillis)
      ),
    Succeeded: (e) =>
      Effect.zipRight(
        Metric.increment(tag(successes, callTags(e.call))),
        Metric.update(tag(callDuration, { ...callTags(e.call), outcome: "success" }), e.elapsedMillis)
      ),
    HedgeStarted: (e) => Metric.increment(tag(hedges, { ...callTags(e.call), event: "started" })),
    HedgeSkipped: (e) => Metric.increment(tag(hedges, { ...callTags(e.call), event: "skipped", reason: e.reason })),
    HedgeWon: (e) => Metric.increment(tag(hedges, { ...callTags(e.call), event: "won" })),
    HedgeCancelled: (e) => Metric.increment(tag(hedges, { ...callTags(e.call), event: "cancelled" })),
    QuotaChanged: (e) => Metric.set(tag(quotaTokens, { key: keyTag("quota", e.key) }), e.tokens),
    BudgetChecked: () => Effect.void,
    LimiterRateChanged: (e) => Metric.set(tag(limiterRate, { key: keyTag("limiter", e.key) }), e.fillRate),
    BreakerStateChanged: (e) => Metric.set(tag(breakerState, { key: keyTag("breaker", e.key) }), breakerLevel[e.to]),
    StoreFellBack: (e) => Metric.set(tag(storeFallback, { store: e.store }), 1),
    StoreResumed: (e) => Metric.set(tag(storeFallback, { store: e.store }), 0)
  })
}

/**
 * The observer that updates the metrics (at most 100 gauge series per gauge; see {@link metricsObserverWith}).
 *
 * @since 0.1.0
 * @category observers
 */
export const metricsObserver: RetryEvent.RetryObserver = metricsObserverWith()

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 3)}s` : `${Math.round(ms)}ms`)

const what = (f: RetryEvent.FailureInfo) =>
  `${f.code}${f.httpStatus !== undefined ? ` (HTTP ${f.httpStatus})` : ""}${f.ambiguous ? ", ambiguous" : ""}`

const annotated = (call: RetryEvent.CallInfo, attempt: number) => (effect: Effect.Effect<void>) =>
  Effect.annotateLogs(effect, {
    "rebound.service": call.service,
    "rebound.operation": call.operation,
    "rebound.attempt": attempt,
    "rebound.policy": call.policy
  })

/**
 * The observer that writes the logs.
 *
 * @since 0.1.0
 * @category observers
 */
export const logsObserver: RetryEvent.RetryObserver = (event) => {
  switch (event._tag) {
    case "RetryScheduled":
      return annotated(event.call, event.attempt)(Effect.logDebug(
        `${event.call.service}.${event.call.operation} attempt ${event.attempt} failed: ${what(event.failure)}; ` +
          `retrying in ${fmt(event.delayMillis)} (${
            event.basis === "retryAfter" ? "the service's Retry-After hint" : "backoff"
          })`
      ))
    case "RetriesStopped":
      return annotated(event.call, event.attempts)(Effect.logWarning(
        `${event.call.service}.${event.call.operation} gave up after ${event.attempts} attempt${
          event.attempts === 1 ? "" : "s"
        } in ${fmt(event.elapsedMillis)} (${event.stopReason}): ${what(event.failure)}`
      ))
    case "HedgeStarted":
      return annotated(event.call, event.attempt)(Effect.logDebug(
        `${event.call.service}.${event.call.operation} attempt ${event.attempt} still in flight after ` +
          `${fmt(event.delayMillis)}: hedge ${event.hedge} sent`
      ))
    case "BreakerStateChanged":
      return Effect.logInfo(`circuit ${event.key}: ${event.from} → ${event.to}`)
    case "LimiterRateChanged":
      return Effect.logDebug(`limiter ${event.key}: ${event.fillRate.toFixed(2)}/s (enabled: ${event.enabled})`)
    case "StoreFellBack":
      return Effect.logWarning(`guard store ${event.store} unreachable (${event.reason}): using local guard state`)
    case "StoreResumed":
      return Effect.logInfo(`guard store ${event.store} reachable again after ${fmt(event.downMillis)}`)
    default:
      return Effect.void
  }
}

/**
 * Logs every retry and every stop.
 *
 * @example
 * ```ts
 * import { RetryTelemetry } from "@rebound/core"
 * import { Effect, Logger, LogLevel } from "effect"
 *
 * const program: Effect.Effect<void> = Effect.void // your program
 * const verbose = program.pipe(
 *   Effect.provide(RetryTelemetry.logs),
 *   Logger.withMinimumLogLevel(LogLevel.Debug)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const logs: Layer.Layer<never> = RetryEvent.addObserver(logsObserver)

/**
 * Updates the metrics above.
 *
 * @since 0.1.0
 * @category layers
 */
export const metrics: Layer.Layer<never> = RetryEvent.addObserver(metricsObserver)

/**
 * Logs and metrics.
 *
 * @example
 * ```ts
 * import { RetryTelemetry } from "@rebound/core"
 * import { Effect, Logger, LogLevel } from "effect"
 *
 * const program: Effect.Effect<void> = Effect.void // your program
 *
 * // A debug line per retry, a warning when retries stop, and the metrics:
 * const observed = program.pipe(Effect.provide(RetryTelemetry.layer), Logger.withMinimumLogLevel(LogLevel.Debug))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.merge(logs, metrics)
