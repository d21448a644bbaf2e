import { describe, expect, it } from "@effect/vitest"
import { type Backoff, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Effect, FastCheck as fc } from "effect"

const jitter = fc.constantFrom<Backoff.Jitter>("none", "full", "equal", "decorrelated")

const policyOptions = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 8 }),
  base: fc.integer({ min: 0, max: 2_000 }),
  extraCap: fc.integer({ min: 0, max: 30_000 }),
  factor: fc.double({ min: 1, max: 4, noNaN: true }),
  jitter,
  maxElapsed: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
  retryAfter: fc.boolean()
}).map((o): RetryPolicy.RetryPolicy =>
  RetryPolicy.make({
    name: "prop",
    maxAttempts: o.maxAttempts,
    base: o.base,
    cap: o.base + o.extraCap,
    factor: o.factor,
    jitter: o.jitter,
    throttling: { base: o.base },
    maxElapsed: o.maxElapsed,
    retryAfter: o.retryAfter
  })
)

const failure = fc.oneof(
  fc.constantFrom<Testing.Outcome>("throttle", "transient", "ambiguous", "fatal"),
  fc.integer({ min: 0, max: 40_000 }).map((ms): Testing.Outcome => ({ throttle: { retryAfter: ms } }))
)
const script = fc.tuple(failure, fc.array(failure, { maxLength: 9 })).map(
  ([first, rest]): readonly [Testing.Outcome, ...Array<Testing.Outcome>] => [first, ...rest]
)

const capOf = (policy: RetryPolicy.RetryPolicy) =>
  Math.max(
    policy.backoff.capMillis,
    policy.throttlingBackoff.capMillis,
    policy.retryAfter === undefined ? 0 : policy.throttlingBackoff.capMillis + policy.retryAfter.maxExtraMillis
  )

describe("properties of every policy", () => {
  it.effect.prop(
    "delays lie in [0, cap] (plus the Retry-After allowance), attempts ≤ maxAttempts, no retry ends past maxElapsed",
    [policyOptions, script, fc.string()],
    ([policy, outcomes, seed]) =>
      Effect.gen(function*() {
        const timeline = yield* Testing.timeline({ policy, outcomes, seed, idempotent: true })
        expect(timeline.attempts.length).toBeLessThanOrEqual(policy.maxAttempts)
        for (const d of timeline.delays) {
          expect(d).toBeGreaterThanOrEqual(0)
          expect(d).toBeLessThanOrEqual(capOf(policy))
        }
        expect(timeline.end).toBeLessThanOrEqual(policy.maxElapsedMillis)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect.prop(
    "the same seed gives the same timeline",
    [policyOptions, script, fc.string()],
    ([policy, outcomes, seed]) =>
      Effect.gen(function*() {
        const a = yield* Testing.timeline({ policy, outcomes, seed, idempotent: true })
        const b = yield* Testing.timeline({ policy, outcomes, seed, idempotent: true })
        // Instants are taken from the start of each call, which the second starts later than the first: the same
        // delays, subtracted from another origin, may round one microsecond apart.
        expect(b.attempts.length).toBe(a.attempts.length)
        b.attempts.forEach((t, i) => expect(Math.abs(t - a.attempts[i]!)).toBeLessThanOrEqual(0.001))
        expect(b.stopReason).toEqual(a.stopReason)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect.prop(
    "fatal failures are never retried; ambiguous ones only when idempotent",
    [policyOptions, script, fc.boolean(), fc.string()],
    ([policy, outcomes, idempotent, seed]) =>
      Effect.gen(function*() {
        const timeline = yield* Testing.timeline({ policy, outcomes, seed, idempotent })
        const made = timeline.attempts.length
        // no attempt follows a fatal outcome, nor an ambiguous one unless idempotent
        for (let i = 0; i < made - 1; i++) {
          const o = outcomes[Math.min(i, outcomes.length - 1)]
          expect(o).not.toBe("fatal")
          if (!idempotent) expect(o).not.toBe("ambiguous")
        }
        const last = outcomes[Math.min(made - 1, outcomes.length - 1)]
        if (last === "fatal") expect(timeline.stopReason).toBe("notRetryable")
        if (last === "ambiguous" && !idempotent) expect(timeline.stopReason).toBe("notIdempotent")
      }),
    { fastCheck: { numRuns: 100 } }
  )
})
