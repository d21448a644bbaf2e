/**
 * CloudWatch Embedded Metric Format: one JSON line per finished call, which CloudWatch Logs turns into metrics with no
 * API call — the idiomatic way for a Lambda function to feed the alarms on retry failures the boto3 guide recommends.
 *
 * Each line holds, for its `Service` and `Operation` dimensions: `Attempts`, `Retries`, `Throttles`, `RetryDelay`
 * (ms), `CallDuration` (ms), `Failed` (1 if the call failed) and `RetriesExhausted` (1 if it failed on a retryable
 * failure because a limit — attempts, time, quota, budget, breaker — stopped the retries: the number to alarm on),
 * plus `StopReason` (or `AbortReason`, for a call interrupted or ended by a defect) and `Policy` as properties. No payload, message or secret ever goes in.
 *
 * Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as CallError from "./CallError.js"
import * as validate from "./internal/validate.js"
import * as RetryEvent from "./RetryEvent.js"

/**
 * Options of the EMF layer: the namespace, extra dimensions and where lines are written.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** CloudWatch namespace. Default `"rebound"`. 1–255 characters. */
  readonly namespace?: string | undefined
  /** Extra dimensions set on every line, e.g. `{ Environment: "prod" }`. */
  readonly dimensions?: Readonly<Record<string, string>> | undefined
  /** Where lines go. Default: standard output, one line each, with nothing in front (Lambda ships it to CloudWatch). */
  readonly write?: ((line: string) => Effect.Effect<void>) | undefined
}

/**
 * What one finished call contributes.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallMetrics {
  readonly call: RetryEvent.CallInfo
  readonly at: number
  readonly attempts: number
  readonly throttles: number
  readonly totalDelayMillis: number
  readonly elapsedMillis: number
  readonly stopReason: CallError.StopReason | undefined
  /** Set when the call ended without a verdict (interrupted, a defect, an unclassified failure). */
  readonly abortReason?: RetryEvent.AbortReason | undefined
}

const exhausting: ReadonlySet<CallError.StopReason> = new Set([
  "maxAttempts",
  "maxElapsed",
  "quota",
  "budget",
  "circuitOpen"
])

/**
 * One EMF line for one call.
 *
 * @example
 * ```ts
 * import { Emf } from "@rebound/core"
 *
 * const line = Emf.format(
 *   {
 *     call: { id: 1, service: "DynamoDB", operation: "GetItem", policy: "rebound" },
 *     at: 1_700_000_000_000,
 *     attempts: 3,
 *     throttles: 2,
 *     totalDelayMillis: 1500,
 *     elapsedMillis: 1530,
 *     stopReason: undefined
 *   },
 *   { namespace: "orders" }
 * )
 * ```
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (metrics: CallMetrics, options: Options = {}): string => {
  const namespace = options.namespace ?? "rebound"
  const extra = options.dimensions ?? {}
  const dimensionKeys = ["Service", "Operation", ...Object.keys(extra)]
  return JSON.stringify({
    _aws: {
      Timestamp: Math.floor(metrics.at),
      CloudWatchMetrics: [{
        Namespace: namespace,
        Dimensions: [dimensionKeys],
        Metrics: [
          { Name: "Attempts", Unit: "Count" },
          { Name: "Retries", Unit: "Count" },
          { Name: "Throttles", Unit: "Count" },
          { Name: "RetryDelay", Unit: "Milliseconds" },
          { Name: "CallDuration", Unit: "Milliseconds" },
          { Name: "Failed", Unit: "Count" },
          { Name: "RetriesExhausted", Unit: "Count" }
        ]
      }]
    },
    Service: metrics.call.service,
    Operation: metrics.call.operation,
    ...extra,
    Attempts: metrics.attempts,
    Retries: Math.max(0, metrics.attempts - 1),
    Throttles: metrics.throttles,
    RetryDelay: metrics.totalDelayMillis,
    CallDuration: metrics.elapsedMillis,
    // A caller who interrupts a call has not seen it fail; a defect or an unclassified failure is a failure.
    Failed:
      metrics.stopReason !== undefined || (metrics.abortReason !== undefined && metrics.abortReason !== "interrupted")
        ? 1
        : 0,
    RetriesExhausted: metrics.stopReason !== undefined && exhausting.has(metrics.stopReason) ? 1 : 0,
    ...(metrics.stopReason !== undefined ? { StopReason: metrics.stopReason } : {}),
    ...(metrics.abortReason !== undefined ? { AbortReason: metrics.abortReason } : {}),
    Policy: metrics.call.policy
  })
}

const stdout = (line: string) =>
  Effect.sync(() => {
    process.stdout.write(`${line}\n`)
  })

/**
 * An observer that writes one EMF line per finished call.
 *
 * @since 0.1.0
 * @category observers
 */
export const observer = (options: Options = {}): RetryEvent.RetryObserver => {
  const namespace = options.namespace ?? "rebound"
  if (namespace.length === 0 || namespace.length > 255) {
    validate.fail("Emf.layer", "namespace", namespace, "a string of 1 to 255 characters")
  }
  if (Object.keys(options.dimensions ?? {}).length > 28) {
    validate.fail("Emf.layer", "dimensions", options.dimensions, "at most 28 extra dimensions (30 in all)")
  }
  const write = options.write ?? stdout
  // Throttles are counted per call while it runs; the entry is removed when the call ends.
  const throttles = new Map<number, number>()
  const finish = (m: Omit<CallMetrics, "throttles">) =>
    Effect.suspend(() => {
      const count = throttles.get(m.call.id) ?? 0
      throttles.delete(m.call.id)
      return write(format({ ...m, throttles: count }, options))
    })
  return RetryEvent.$match({
    AttemptFailed: (e) =>
      Effect.sync(() => {
        if (e.failure.failureClass === "throttling") throttles.set(e.call.id, (throttles.get(e.call.id) ?? 0) + 1)
      }),
    Succeeded: (e) => finish({ ...e, stopReason: undefined }),
    RetriesStopped: (e) => finish(e),
    // An interrupted call is closed too: its throttle count is written and forgotten, never left behind.
    CallAborted: (e) => finish({ ...e, stopReason: undefined, abortReason: e.reason }),
    AttemptStarted: () => Effect.void,
    AttemptDelayed: () => Effect.void,
    RetryScheduled: () => Effect.void,
    QuotaChanged: () => Effect.void,
    BudgetChecked: () => Effect.void,
    LimiterRateChanged: () => Effect.void,
    BreakerStateChanged: () => Effect.void,
    HedgeStarted: () => Effect.void,
    HedgeSkipped: () => Effect.void,
    HedgeWon: () => Effect.void,
    HedgeCancelled: () => Effect.void,
    StoreFellBack: () => Effect.void,
    StoreResumed: () => Effect.void
  })
}

/**
 * Writes one EMF line per finished call.
 *
 * @example
 * ```ts
 * import { Emf } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const handler: Effect.Effect<void> = Effect.void // your handler
 * const withMetrics = handler.pipe(Effect.provide(Emf.layer({ namespace: "orders-service" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<never> => RetryEvent.addObserver(observer(options))
