/**
 * The policy matrix (BENCHMARK-DESIGN.md §8.4), explicit per scenario.
 *
 * Every entry is a rebound `RetryPolicy` built from core pieces (`Presets`, `Backoff` options, `RetryQuota`,
 * `RetryBudget`, `AdaptiveLimiter`) — except where a curve rebound's core cannot express is needed: Effect's
 * `Schedule.jittered` (±20 %) and gRPC's ±20 % jitter. Those take their delays from {@link jittered20}, Effect's
 * formula `min(base·2ⁿ, cap) × (0.8·(1 − r) + 1.2·r)` (a test steps Effect's real
 * `Schedule.exponential(base).pipe(Schedule.union(Schedule.spaced(cap)), Schedule.jittered)` on the same draws and
 * requires identical delays); attempts and guards still come from the rebound policy.
 *
 * | scenario | what "retry" means | attempts of the textbook curves |
 * | --- | --- | --- |
 * | A | Brooker's: until success | unlimited (`untilSuccess`) |
 * | B1 | batch drain: an item is done when written | unlimited; presets and budgets keep theirs and the application re-submits an item whose call failed |
 * | B2, C1, C2 | one logical request each | 3 (immediate also 5) |
 *
 * Textbook curves in B and C use Brooker's parameters doubled for rebound's exponent (base 10 ms, cap 2 s), as the
 * design's rough model did; presets use their own constants.
 *
 * @since 0.1.0
 */
import { Presets, RetryBudget, RetryPolicy } from "@rebound/core"
import type { Backoff } from "@rebound/core"
import type * as Client from "./Client.js"

/**
 * `maxAttempts` for "retry until success": larger than any run needs.
 *
 * @since 0.1.0
 * @category constants
 */
export const untilSuccess = 1_000_000

/**
 * A plain backoff curve: the same curve for throttling and transient failures, no hints, no guards.
 *
 * @example
 * ```ts
 * import { Policies } from "@rebound/simulator"
 *
 * const fullJitter = Policies.curve("full", "Full jitter", { jitter: "full", base: 10, cap: 2000, maxAttempts: 3 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const curve = (
  name: string,
  label: string,
  options: {
    readonly jitter: Backoff.Jitter
    readonly base: number
    readonly cap: number
    readonly maxAttempts: number
  }
): Client.SimPolicy => ({
  name,
  label,
  policy: RetryPolicy.make({
    name,
    maxAttempts: options.maxAttempts,
    base: options.base,
    cap: options.cap,
    jitter: options.jitter,
    throttling: { base: options.base },
    retryAfter: false
  })
})

/**
 * Effect's `Schedule.exponential(base)` capped by `Schedule.union(Schedule.spaced(cap))` and `Schedule.jittered`:
 * before retry n (from 0), `min(base·2ⁿ, cap) × (0.8·(1 − r) + 1.2·r)` — the ±20 % band of `Schedule.jittered`
 * (effect 3.22.4, `internal/schedule.ts`, `jitteredWith`), written as Effect computes it, down to `Duration`'s
 * rounding of fractional milliseconds to whole nanoseconds.
 *
 * @example
 * ```ts
 * import { Policies } from "@rebound/simulator"
 *
 * const step = Policies.jittered20(10, 2000)()
 * console.log(step(0, 0.5), step(0, 0.5)) // 10, then 20: the middle of the band
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const jittered20 = (baseMillis: number, capMillis: number) => (): Client.DelayStep => {
  let n = 0
  return (_now, draw) => {
    const d = Math.min(baseMillis * Math.pow(2, n++), capMillis)
    const jittered = d * 0.8 * (1 - draw) + d * 1.2 * draw
    // `Duration.millis` keeps a fractional delay as whole nanoseconds.
    return Number.isInteger(jittered) ? jittered : Math.round(jittered * 1e6) / 1e6
  }
}

/**
 * A policy whose delays come from another source, with attempts and guards from `policy`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const withDelays = (
  name: string,
  label: string,
  policy: RetryPolicy.RetryPolicy,
  delays: () => Client.DelayStep
): Client.SimPolicy => ({ name, label, policy, delays })

/**
 * A rebound policy as it is.
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (name: string, label: string, policy: RetryPolicy.RetryPolicy): Client.SimPolicy => ({
  name,
  label,
  policy
})

/**
 * Brooker's five strategies (base 5 ms, cap 2 s, n from 1) in rebound's terms: rebound's exponent starts at 0, so
 * base 10 ms gives Brooker's 5·2ⁿ; decorrelated keeps base 5 ms and factor 3. Until success, as in his simulator.
 *
 * @since 0.1.0
 * @category scenario A
 */
export const brooker: ReadonlyArray<Client.SimPolicy> = [
  curve("none", "No backoff", { jitter: "none", base: 0, cap: 2000, maxAttempts: untilSuccess }),
  curve("exponential", "Exponential", { jitter: "none", base: 10, cap: 2000, maxAttempts: untilSuccess }),
  curve("full", "Full jitter", { jitter: "full", base: 10, cap: 2000, maxAttempts: untilSuccess }),
  curve("equal", "Equal jitter", { jitter: "equal", base: 10, cap: 2000, maxAttempts: untilSuccess }),
  curve("decorrelated", "Decorrelated", { jitter: "decorrelated", base: 5, cap: 2000, maxAttempts: untilSuccess })
]

const textbook = (maxAttempts: number): ReadonlyArray<Client.SimPolicy> => [
  curve("exponential", "Exponential, no jitter", { jitter: "none", base: 10, cap: 2000, maxAttempts }),
  curve("full", "Full jitter", { jitter: "full", base: 10, cap: 2000, maxAttempts }),
  curve("equal", "Equal jitter", { jitter: "equal", base: 10, cap: 2000, maxAttempts }),
  curve("decorrelated", "Decorrelated jitter", { jitter: "decorrelated", base: 10, cap: 2000, maxAttempts }),
  withDelays(
    "effect-jittered",
    "Effect Schedule.jittered (±20 %)",
    RetryPolicy.make({ name: "effect-jittered", maxAttempts, retryAfter: false }),
    jittered20(10, 2000)
  )
]

/**
 * The AWS presets, the SRE, gRPC and Finagle budgets, and rebound's default, each with its own attempt limit.
 *
 * - The AWS baselines as users run them: `aws-js-2026` is the generic client's default (`Presets.awsJs2026`),
 *   `aws-js-2026-dynamodb` the DynamoDB client's (`Presets.awsJs2026DynamoDB`: 4 attempts, 25 ms), the baseline of the
 *   DynamoDB-like scenarios B1 and B2.
 * - SRE and Finagle: 3 attempts on `RetryPolicy.make`'s default curves (full jitter from 50 ms, throttling from 1 s) plus
 *   `RetryBudget.sre` (10 % over 10 s) or `RetryBudget.finagle` (20 % over 10 s), both with a floor of 10 retries/s.
 * - gRPC: gRFC A6's example (4 attempts, 100 ms initial, ×2, 1 s max, ±20 % jitter, {@link jittered20})
 *   plus `RetryBudget.grpc` (10 tokens, 0.1, and the floor of 10 retries/s).
 *
 * @since 0.1.0
 * @category scenarios B and C
 */
export const guarded: ReadonlyArray<Client.SimPolicy> = [
  of("aws-js-pre-2026", "AWS JS standard, pre-2026", Presets.awsJsPre2026),
  of("aws-js-2026", "AWS JS standard, 2026", Presets.awsJs2026),
  of("aws-js-2026-dynamodb", "AWS JS DynamoDB client, 2026", Presets.awsJs2026DynamoDB),
  of("aws-js-2026-adaptive", "AWS JS adaptive, 2026", Presets.awsJs2026Adaptive),
  of(
    "sre",
    "SRE: 3 attempts + 10 % budget + 10/s",
    RetryPolicy.make({ name: "sre", maxAttempts: 3, budget: RetryBudget.sre })
  ),
  withDelays(
    "grpc",
    "gRPC throttling (10, 0.1) + 10/s, ±20 %",
    RetryPolicy.make({ name: "grpc", maxAttempts: 4, budget: RetryBudget.grpc, retryAfter: false }),
    jittered20(100, 1000)
  ),
  of(
    "finagle",
    "Finagle budget 20 % + 10/s",
    RetryPolicy.make({ name: "finagle", maxAttempts: 3, budget: RetryBudget.finagle })
  ),
  of("rebound", "rebound default (Presets.rebound)", Presets.rebound)
]

/**
 * No retries at all.
 *
 * @since 0.1.0
 * @category scenarios B and C
 */
export const none: Client.SimPolicy = of("none", "No retries", Presets.none)

/**
 * Scenario B1's matrix: the textbook curves retry until success; the presets and budgets keep their limits (the
 * application re-submits an item whose call failed, so "no retries" would be the same as "immediate"). The oracle
 * pacer is added by the scenario.
 *
 * @since 0.1.0
 * @category scenario B1
 */
export const drain: ReadonlyArray<Client.SimPolicy> = [
  curve("immediate", "Immediate", { jitter: "none", base: 0, cap: 2000, maxAttempts: untilSuccess }),
  ...textbook(untilSuccess),
  ...guarded
]

/**
 * The matrix of scenarios B2, C1 and C2: every policy makes at most its own number of attempts (textbook curves 3).
 *
 * @since 0.1.0
 * @category scenarios B2 and C
 */
export const requests: ReadonlyArray<Client.SimPolicy> = [
  none,
  curve("immediate-3", "Immediate, 3 attempts", { jitter: "none", base: 0, cap: 2000, maxAttempts: 3 }),
  curve("immediate-5", "Immediate, 5 attempts", { jitter: "none", base: 0, cap: 2000, maxAttempts: 5 }),
  ...textbook(3),
  ...guarded
]
