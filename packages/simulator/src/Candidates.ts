/**
 * The candidates the simulator weighed for rebound's default, built only from existing core pieces. The first default
 * (`rebound-v1`: the AWS 2026 curves, the 2026 quota and a 20 s time budget) met one of the four goals; the changes
 * below were tried on it. Together they made today's `Presets.rebound`, which meets three.
 *
 * | candidate | change to `rebound-v1` | aimed at |
 * | --- | --- | --- |
 * | `rebound-v1` | — (the first default) | the baseline |
 * | `v1-breaker` | + `CircuitBreaker.consecutive` (5 transient failures in a row, 5 s open; throttles do not count) | C1, C2: stop sending while the service is down, so its queue drains at full speed |
 * | `v1-window` | throttling backoff `r·2.5 s` with factor 1 (a constant window instead of `r·1 s·2ⁿ`) | B1: fewer throttled calls per item |
 * | `Presets.rebound` | both, and the transient curve grows by 1.5 per retry (instead of 2) up to 2 s (instead of 20 s) | A, B1, C1, C2 at once |
 *
 * @since 0.1.0
 */
import { AdaptiveLimiter, CircuitBreaker, Presets, RetryPolicy } from "@rebound/core"
import type * as Client from "./Client.js"

/**
 * rebound's first default, kept as the baseline the candidates were measured against: the AWS 2026 curves (full
 * jitter from 50 ms, throttling from 1 s, 20 s cap), the 2026 retry quota, `Retry-After` within +5 s, a 20 s budget.
 *
 * @since 0.1.0
 * @category candidates
 */
export const previousDefault: RetryPolicy.RetryPolicy = RetryPolicy.make({
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
 * Trips after 5 consecutive transient failures (5xx, timeouts) of one client, stays open 5 s, then lets one probe
 * through. Throttles do not count: a throttle says the service is up and busy, which the backoff handles.
 *
 * @since 0.1.0
 * @category pieces
 */
export const transientBreaker: CircuitBreaker.CircuitBreaker = CircuitBreaker.consecutive({
  name: "transient-breaker",
  threshold: 5,
  breakDuration: "5 seconds",
  counts: ["transient"]
})

/**
 * The throttling curve of `v1-window` (and of `Presets.rebound`): full jitter over a constant 2.5 s window.
 *
 * @since 0.1.0
 * @category pieces
 */
export const throttlingWindow = { base: 2_500, factor: 1, jitter: "full", cap: 20_000 } as const

/**
 * @since 0.1.0
 * @category candidates
 */
export const reboundBreaker: Client.SimPolicy = {
  name: "v1-breaker",
  label: "Candidate: rebound-v1 + transient breaker",
  policy: previousDefault.pipe(
    RetryPolicy.modify({ name: "v1-breaker" }),
    RetryPolicy.withBreaker(transientBreaker)
  )
}

/**
 * @since 0.1.0
 * @category candidates
 */
export const reboundWindow: Client.SimPolicy = {
  name: "v1-window",
  label: "Candidate: rebound-v1 + 2.5 s throttling window",
  policy: previousDefault.pipe(RetryPolicy.modify({ name: "v1-window", throttling: throttlingWindow }))
}

/**
 * @since 0.1.0
 * @category candidates
 */
export const reboundV1: Client.SimPolicy = {
  name: "rebound-v1",
  label: "rebound's first default (rebound-v1)",
  policy: previousDefault
}

/**
 * Every candidate.
 *
 * @since 0.1.0
 * @category candidates
 */
export const all: ReadonlyArray<Client.SimPolicy> = [reboundV1, reboundBreaker, reboundWindow]

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

/**
 * One point of the B1 exploration: a policy, and how many SDK client instances the 50 workers share.
 *
 * @since 0.1.0
 * @category models
 */
export interface DrainVariant {
  readonly policy: Client.SimPolicy
  /** `undefined`: one instance per worker (the scenario's default). */
  readonly instances: number | undefined
}

const variant = (name: string, label: string, policy: RetryPolicy.RetryPolicy, instances?: number): DrainVariant => ({
  policy: { name, label, policy: RetryPolicy.modify(policy, { name }) },
  instances
})

const throttlingCurve = (base: number, factor: number, jitter: "full" | "equal", maxAttempts = 3) =>
  previousDefault.pipe(
    RetryPolicy.modify({
      maxAttempts,
      maxElapsed: maxAttempts > 3 ? 60_000 : 20_000,
      throttling: { base, factor, jitter, cap: 20_000 }
    })
  )

const withLimiter = (options: AdaptiveLimiter.Options) =>
  previousDefault.pipe(RetryPolicy.withLimiter(AdaptiveLimiter.make({ name: "explored", ...options })))

/**
 * Scenario B1's search for a combination of core pieces that meets its goal (completion ≤ 1.10 × bound,
 * amplification ≤ 1.2, Jain ≥ 0.9): the throttling curve (base, growth, jitter, attempts), and the adaptive limiter
 * with AWS's and with tuned constants, per worker and shared by all workers of one process. Quotas and budgets are
 * left out on purpose: in a batch drain they only turn retries into give-ups that the job re-submits at once (see
 * `sre` and `grpc` in the main table).
 *
 * @since 0.1.0
 * @category candidates
 */
export const drainExploration: ReadonlyArray<DrainVariant> = [
  ...[2_000, 3_000, 5_000].map((base) =>
    variant(`throttle-full-${base}`, `throttling r·${base / 1000} s·2ⁿ`, throttlingCurve(base, 2, "full"))
  ),
  ...[1_500, 2_500, 3_500, 4_000].map((base) =>
    variant(`throttle-window-${base}`, `throttling window r·${base / 1000} s`, throttlingCurve(base, 1, "full"))
  ),
  ...[2_500, 4_000].map((base) =>
    variant(
      `throttle-window-${base}-10`,
      `throttling window r·${base / 1000} s, 10 attempts in 60 s`,
      throttlingCurve(base, 1, "full", 10)
    )
  ),
  variant("throttle-equal-window-2000", "throttling window 1–2 s (equal jitter)", throttlingCurve(2_000, 1, "equal")),
  variant("limiter-aws", "+ AWS adaptive limiter", withLimiter({})),
  variant("limiter-fast", "+ limiter β 0.9, C 4", withLimiter({ beta: 0.9, scaleConstant: 4 })),
  variant(
    "limiter-faster",
    "+ limiter β 0.8, C 10, ≤ 4× measured",
    withLimiter({ beta: 0.8, scaleConstant: 10, maxRateScale: 4 })
  ),
  variant("limiter-aws-shared", "+ AWS adaptive limiter, one per process (50 workers)", withLimiter({}), 1),
  variant("limiter-aws-shared-5", "+ AWS adaptive limiter, 5 processes of 10 workers", withLimiter({}), 5)
]
