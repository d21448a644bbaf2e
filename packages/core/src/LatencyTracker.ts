/**
 * Recently observed latency, per operation and resource, in bounded memory: what a quantile hedging delay
 * (`Hedging.make({ delay: { quantile: 0.95 } })`) reads.
 *
 * Each series is a DDSketch (`@datadog/sketches-js`, Datadog's implementation of Masson, Rim and Lee, VLDB 2019):
 * quantiles within a relative error (1 % by default) from a fixed number of log-spaced bins — a few kilobytes per
 * series however many latencies pass, about 75 ns per observation. "Recent" is two windows (60 s by default): the
 * current one answers once it holds enough samples, until then the one before. The tracker holds at most `maxKeys`
 * series and forgets the least recently used.
 *
 * Latency is local knowledge — what this process sees of its own network path — so the tracker lives in the process
 * and is not guard state: the hedge *budget* is, in the `StateStore`. The per-call machine (`RetryCall`) takes the
 * tracker's estimate as an input when a call starts and hands back the latency it observed, so the interpreter and the
 * simulator, which both feed and read a tracker of this module, make the same hedging decisions.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/latencyTracker.js"

/**
 * Recent latency per series (a key per owner, resource and operation), in bounded memory.
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyTracker {
  /** Records one latency (milliseconds) in the series `key` at `nowMillis`. */
  readonly observe: (key: string, millis: number, nowMillis: number) => void
  /** The `quantile` (in (0, 1)) of the series' recent latencies; `undefined` while it holds fewer than `minSamples`. */
  readonly quantile: (key: string, quantile: number, minSamples: number, nowMillis: number) => number | undefined
  /**
   * A latency that, on average, at most `share` (in (0, 1)) of the next calls exceed, judged from the series' recent
   * latencies: the ⌈(1 − share)(n + 1)⌉-th smallest of the n held (the largest when that is beyond n), taken at the
   * upper edge of its sketch bin. A plain quantile of n samples is exceeded by more than `1 − quantile` of what
   * follows — 9.5 % for a p95 of 20 samples — and the sketch may place it up to its relative accuracy low; a hedging
   * delay read from it would hedge more calls than it says. `undefined` while the series holds fewer than
   * `minSamples`; a `share` outside (0, 1) throws an `InvalidOptionError`.
   */
  readonly threshold: (key: string, share: number, minSamples: number, nowMillis: number) => number | undefined
  /** Samples held for a series (current and previous window). */
  readonly count: (key: string) => number
  /** Series held. */
  readonly size: () => number
  /** Forgets every series whose key matches (a closing client's scope). */
  readonly remove: (matches: (key: string) => boolean) => void
  /** The bound on series held. */
  readonly maxKeys: number
}

/**
 * Options of {@link makeMemory}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryOptions {
  /** Most series held; the least recently used is forgotten beyond it. Default 1,000. */
  readonly maxKeys?: number | undefined
  /** How long a window lasts. Default 60 seconds. */
  readonly window?: Duration.DurationInput | undefined
  /** The sketch's relative accuracy, in (0, 1). Default 0.01. */
  readonly relativeAccuracy?: number | undefined
  /** Bins per sketch before the lowest are collapsed. Default 512 (≥ 16). */
  readonly maxBins?: number | undefined
}

/**
 * A tracker in memory.
 *
 * @example
 * ```ts
 * import { LatencyTracker } from "@rebound/core"
 *
 * const tracker = LatencyTracker.makeMemory({ window: "30 seconds" })
 * for (let i = 1; i <= 100; i++) tracker.observe("GetItem", i, 0)
 * console.log(tracker.quantile("GetItem", 0.95, 20, 0)) // ≈ 95, within 1 %
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: (options?: MemoryOptions) => LatencyTracker = internal.makeMemory

/**
 * The tracker in context. Its default is a process-wide tracker in memory (1,000 series, 60-second windows).
 *
 * @since 0.1.0
 * @category context
 */
export const LatencyTracker: typeof internal.LatencyTrackerTag = internal.LatencyTrackerTag

/**
 * A layer providing a fresh tracker, e.g. to isolate tests.
 *
 * @example
 * ```ts
 * import { LatencyTracker } from "@rebound/core"
 *
 * const isolated = LatencyTracker.layerMemory({ window: "10 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: (options?: MemoryOptions) => Layer.Layer<never> = internal.layerMemoryWith

/**
 * Forgets every series a scope owns in the tracker in context (what a service layer does when it closes).
 *
 * @since 0.1.0
 * @category utils
 */
export const releaseScope: (scope: string) => Effect.Effect<void> = internal.releaseScope
