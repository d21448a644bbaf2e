import { LogCollapsingLowestDenseDDSketch } from "@datadog/sketches-js"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as LatencyTracker from "../LatencyTracker.js"
import { ownedBy } from "./keys.js"
import * as validate from "./validate.js"

interface Series {
  /** When the current window started. */
  since: number
  current: LogCollapsingLowestDenseDDSketch
  /** The window before, while it is the latest complete one. */
  previous: LogCollapsingLowestDenseDDSketch | undefined
}

const where = "LatencyTracker.makeMemory"

/**
 * Recent latencies per series in DDSketch (`@datadog/sketches-js`): relative-error quantiles in a bounded number of
 * bins, with the lowest bins collapsed first (the tail is what a hedging delay reads). "Recent" is two windows: the
 * current one answers once it holds `minSamples`, until then the previous one does.
 * @internal
 */
export const makeMemory = (options: LatencyTracker.MemoryOptions = {}): LatencyTracker.LatencyTracker => {
  const maxKeys = validate.integer(where, "maxKeys", options.maxKeys ?? 1_000, 1)
  const windowMillis = validate.millis(where, "window", options.window ?? 60_000)
  if (windowMillis === 0) validate.fail(where, "window", options.window, "a duration > 0")
  const relativeAccuracy = options.relativeAccuracy ?? 0.01
  if (!(typeof relativeAccuracy === "number" && relativeAccuracy > 0 && relativeAccuracy < 1)) {
    validate.fail(where, "relativeAccuracy", relativeAccuracy, "a number in (0, 1)")
  }
  const binLimit = validate.integer(where, "maxBins", options.maxBins ?? 512, 16)
  const sketch = () => new LogCollapsingLowestDenseDDSketch({ relativeAccuracy, binLimit })
  const series = new Map<string, Series>()

  /** The series under `key`, its windows moved up to `now`, and marked most recently used. */
  const touch = (key: string, nowMillis: number, create: boolean): Series | undefined => {
    let s = series.get(key)
    if (s === undefined) {
      if (!create) return undefined
      s = { since: nowMillis, current: sketch(), previous: undefined }
    } else {
      series.delete(key)
      const passed = Math.floor((nowMillis - s.since) / windowMillis)
      if (passed >= 1) {
        s.previous = passed === 1 ? s.current : undefined
        s.current = sketch()
        s.since += passed * windowMillis
      }
    }
    series.set(key, s)
    while (series.size > maxKeys) {
      const oldest = series.keys().next()
      if (oldest.done === true) break
      series.delete(oldest.value)
    }
    return s
  }

  /** The window a quantile is read from: the current one once it holds `minSamples`, else the one before. */
  const windowOf = (key: string, minSamples: number, nowMillis: number) => {
    const s = touch(key, nowMillis, false)
    if (s === undefined) return undefined
    return s.current.count >= minSamples ?
      s.current :
      s.previous !== undefined && s.previous.count >= minSamples ?
      s.previous :
      undefined
  }

  return {
    maxKeys,
    observe: (key, millis, nowMillis) => {
      if (!(millis >= 0) || !Number.isFinite(millis)) return
      // DDSketch keeps positive values in its store; a zero latency counts as the smallest positive one.
      touch(key, nowMillis, true)!.current.accept(Math.max(millis, 1e-3))
    },
    quantile: (key, quantile, minSamples, nowMillis) =>
      windowOf(key, minSamples, nowMillis)?.getValueAtQuantile(quantile),
    threshold: (key, share, minSamples, nowMillis) => {
      if (!(share > 0 && share < 1)) validate.fail("LatencyTracker.threshold", "share", share, "a number in (0, 1)")
      const from = windowOf(key, minSamples, nowMillis)
      if (from === undefined) return undefined
      const n = from.count
      // Of n latencies, the k-th smallest is exceeded by a share (n + 1 − k) / (n + 1) of the next ones on average
      // (order statistics of independent draws): the smallest k for which that is ≤ `share`. Beyond the sample,
      // the largest seen (exact in the sketch).
      const k = Math.ceil((1 - share) * (n + 1) - 1e-9)
      if (k >= n) return from.max
      // The k-th smallest's bin, at its upper edge: at or above the latency itself, whatever the sketch's error.
      const value = from.getValueAtQuantile(n > 1 ? (k - 1) / (n - 1) : 0)
      return Math.min(from.max, value / (1 - relativeAccuracy))
    },
    count: (key) => {
      const s = series.get(key)
      return s === undefined ? 0 : s.current.count + (s.previous?.count ?? 0)
    },
    size: () => series.size,
    remove: (matches) => {
      for (const key of [...series.keys()]) {
        if (matches(key)) series.delete(key)
      }
    }
  }
}

/** @internal */
export class LatencyTrackerTag extends Context.Reference<LatencyTrackerTag>()("@rebound/core/LatencyTracker", {
  defaultValue: () => makeMemory()
}) {}

/** @internal */
export const releaseScope = (scope: string): Effect.Effect<void> =>
  Effect.map(LatencyTrackerTag, (tracker) => tracker.remove(ownedBy(scope)))

/** @internal */
export const layerMemoryWith = (options?: LatencyTracker.MemoryOptions): Layer.Layer<never> =>
  Layer.sync(LatencyTrackerTag, () => makeMemory(options))
