/**
 * A testing kit for deterministic timing tests: scripted outcomes, a driver that advances `TestClock` from one pending
 * sleep to the next until a fiber finishes, and timelines of every attempt.
 *
 * Everything here must run under Effect's `TestContext` (`it.effect` from `@effect/vitest` provides it).
 *
 * @example
 * ```ts
 * import { Presets } from "@rebound/core"
 * import { Testing } from "@rebound/core/testing"
 * import { Effect } from "effect"
 *
 * // inside it.effect(...):
 * const program = Effect.gen(function*() {
 *   const timeline = yield* Testing.timeline({
 *     policy: Presets.awsJs2026,
 *     outcomes: ["throttle", "transient", "success"],
 *     draws: [0.5]
 *   })
 *   // timeline.attempts: [0, 500, 550] — 0.5 × 1000 ms, then 0.5 × min(50 × 2, 20000) ms
 * })
 * ```
 *
 * @since 0.1.0
 */

// The comment above documents the module. docgen reads a file's first comment as the documentation of its first
// statement too, so that statement is this import, which compiles to nothing, rather than a re-export.
import type {} from "./Testing.js"

/**
 * Scripted calls, a `TestClock` driver and timelines of every attempt.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Testing from "./Testing.js"

/**
 * A latency tail (a share of requests delayed by a distribution), shared by the lab's fault proxy and the simulator.
 *
 * @since 0.1.0
 * @category modules
 */
export * as LatencyTail from "./LatencyTail.js"
