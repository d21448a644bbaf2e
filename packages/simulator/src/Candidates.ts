/**
 * rebound's earlier defaults, kept as peers, and the variants of today's default weighed on the training set.
 *
 * | policy | what |
 * | --- | --- |
 * | `rebound-v1` | the first default: the AWS 2026 curves (full jitter from 50 ms, throttling from 1 s, 20 s cap), the 2026 quota, `Retry-After` within +5 s, 20 s budget |
 * | `rebound-v2` | the second: `rebound-v1` with the transient curve ×1.5 up to 2 s, throttling spread over a constant 2.5 s window, and a circuit breaker (5 transient failures in a row, 5 s open) |
 * | `Presets.rebound` | today's: `rebound-v2`'s transient curve, no breaker, `AdaptiveLimiter.rebound` (learns the admitted rate, shared by the process), a 100-token quota (transient retry 14, throttling retry free), throttling from 250 ms ×2, 4 attempts |
 *
 * {@link tuning} lists the variants of today's default that were compared on the training set only (see `Sweep`):
 * each changes one choice.
 *
 * @since 0.1.0
 */
import { AdaptiveLimiter, CircuitBreaker, Presets, RetryPolicy, RetryQuota } from "@rebound/core"
import type * as Client from "./Client.js"

/**
 * rebound's first default: the AWS 2026 curves (full jitter from 50 ms, throttling from 1 s, 20 s cap), the 2026 retry
 * quota, `Retry-After` within +5 s, a 20 s budget.
 *
 * @since 0.1.0
 * @category candidates
 */
export const firstDefault: RetryPolicy.RetryPolicy = RetryPolicy.make({
  name: "rebound-v1",
  maxAttempts: 3,
  maxElapsed: 20_000,
  base: 50,
  cap: 20_000,
  jitter: "full",
  throttling: { base: 1_000 },
  retryAfter: { maxExtra: 5_000 },
  quota: Presets.awsJs2026.quota
})

/**
 * rebound's second default, chosen on A and B1 themselves with no held-out check: the transient curve ×1.5 up to 2 s,
 * throttling spread over a constant 2.5 s window, the 2026 quota, a 20 s budget and a circuit breaker that opens for
 * 5 s after 5 transient failures in a row.
 *
 * @since 0.1.0
 * @category candidates
 */
export const secondDefault: RetryPolicy.RetryPolicy = RetryPolicy.make({
  name: "rebound-v2",
  maxAttempts: 3,
  maxElapsed: 20_000,
  base: 50,
  factor: 1.5,
  cap: 2_000,
  jitter: "full",
  capping: "beforeJitter",
  throttling: { base: 2_500, factor: 1, cap: 20_000, jitter: "full" },
  retryAfter: { maxExtra: 5_000 },
  quota: Presets.awsJs2026.quota,
  breaker: CircuitBreaker.consecutive({ name: "rebound", threshold: 5, breakDuration: 5_000, counts: ["transient"] })
})

/**
 * @since 0.1.0
 * @category candidates
 */
export const reboundV1: Client.SimPolicy = {
  name: "rebound-v1",
  label: "rebound's first default (rebound-v1)",
  policy: firstDefault
}

/**
 * @since 0.1.0
 * @category candidates
 */
export const reboundV2: Client.SimPolicy = {
  name: "rebound-v2",
  label: "rebound's second default, with a breaker (rebound-v2)",
  policy: secondDefault
}

/**
 * The earlier defaults.
 *
 * @since 0.1.0
 * @category candidates
 */
export const all: ReadonlyArray<Client.SimPolicy> = [reboundV1, reboundV2]

/**
 * A policy's backoff curves alone — attempt limit, time budget and guards lifted — for scenario A, where every
 * client must eventually write (Brooker's setting). The policy as shipped is measured beside it.
 *
 * @example
 * ```ts
 * import { Candidates, Policies } from "@rebound/simulator"
 *
 * const next = Candidates.untilSuccess(Candidates.reboundV1)
 * console.log(next.policy.maxAttempts === Policies.untilSuccess) // true
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const untilSuccess = (policy: Client.SimPolicy): Client.SimPolicy => ({
  name: `${policy.name}-until-success`,
  label: `${policy.label}: its curve until success`,
  policy: RetryPolicy.modify(policy.policy, {
    maxAttempts: 1_000_000,
    maxElapsed: Infinity,
    quota: undefined,
    budget: undefined,
    limiter: undefined,
    breaker: undefined
  })
})

const variant = (name: string, label: string, changes: RetryPolicy.Options): Client.SimPolicy => ({
  name,
  label,
  policy: RetryPolicy.modify(Presets.rebound, { ...changes, name })
})

const quota = (capacity: number) =>
  RetryQuota.make({ name: `quota-${capacity}`, capacity, retryCost: 14, throttlingRetryCost: 0 })

/**
 * The variants of today's default compared on the training set: each changes one of its choices — the limiter, its β,
 * the throttling curve, the quota's size, the attempt limit.
 *
 * @since 0.1.0
 * @category candidates
 */
export const tuning: ReadonlyArray<Client.SimPolicy> = [
  variant("tune-no-limiter", "no limiter", { limiter: undefined }),
  variant("tune-aws-limiter", "the SDKs' limiter (per client, send rate)", { limiter: AdaptiveLimiter.aws }),
  variant("tune-limiter-per-client", "the admitted-rate limiter, one per client", {
    limiter: AdaptiveLimiter.make({ name: "per-client", learnFrom: "admitted", beta: 0.95 })
  }),
  variant("tune-beta-0.9", "limiter β 0.9", {
    limiter: AdaptiveLimiter.make({ name: "beta-0.9", learnFrom: "admitted", share: "process", beta: 0.9 })
  }),
  variant("tune-beta-1", "limiter β 1", {
    limiter: AdaptiveLimiter.make({ name: "beta-1", learnFrom: "admitted", share: "process", beta: 1 })
  }),
  variant("tune-throttling-1s", "throttling from 1 s ×2 (the SDKs')", {
    throttling: { base: 1_000, factor: 2, cap: 20_000, jitter: "full" }
  }),
  variant("tune-throttling-window", "throttling over a constant 2.5 s window (rebound-v2's)", {
    throttling: { base: 2_500, factor: 1, cap: 20_000, jitter: "full" }
  }),
  variant("tune-quota-500", "quota of 500 (the SDKs')", { quota: quota(500) }),
  variant("tune-quota-250", "quota of 250", { quota: quota(250) }),
  variant("tune-quota-70", "quota of 70", { quota: quota(70) }),
  variant("tune-attempts-3", "3 attempts", { maxAttempts: 3 })
]
