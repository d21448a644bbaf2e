/**
 * Writing a deterministic timing test for your own code, with `@rebound/core/testing`.
 *
 * `fetchPrice` is "your code": a call wrapped in a policy. The check below runs it against scripted outcomes on
 * `TestClock`, with the random draws pinned, and asserts the exact instant of every attempt — no waiting on the wall
 * clock, no flakiness, and a failing check the moment someone changes the backoff. The same check as a vitest test is
 * in `packages/examples/test/deterministic-timing.test.ts`.
 *
 * Run it: `pnpm example:timing`
 *
 * @since 0.1.0
 */
import { type CallError, Presets, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Console, Effect, TestContext } from "effect"
import { exitCodes, isMain, runProcess, terminal, toExitCode } from "./internal/cli.js"

/** The policy of the code under test: the AWS 2026 curves, 4 attempts. */
export const pricePolicy = RetryPolicy.modify(Presets.awsJs2026, { name: "prices", maxAttempts: 4 })

/**
 * Your code: a call of your own, retried under the price policy.
 *
 * @since 0.1.0
 */
export const fetchPrice = <A>(call: Effect.Effect<A, CallError.CallError>): Effect.Effect<A, CallError.CallError> =>
  RetryPolicy.retry(call, pricePolicy, { service: "Pricing", operation: "GetPrice", idempotent: true })

/**
 * The timing check: throttled, then a transient 503, then success; every draw pinned at 0.5.
 *
 * @since 0.1.0
 */
export const check: Effect.Effect<Testing.Timeline> = Testing.timelineOf(
  { outcomes: ["throttle", "transient", "success"], draws: [0.5] },
  fetchPrice
).pipe(Effect.provide(TestContext.TestContext))

/** What the timeline must be: 0.5 × 1000 ms after the throttle, then 0.5 × min(50 × 2, 20000) ms after the 503. */
export const expected = { attempts: [0, 500, 550], stopReason: undefined }

if (isMain(import.meta)) {
  const asExpected = Effect.flatMap(check, (t) => {
    const ok = JSON.stringify(t.attempts) === JSON.stringify(expected.attempts)
    return Console.log(
      `attempts at ${t.attempts.join(", ")} ms (virtual), delays ${t.delays.join(", ")} ms, ` +
        `${ok ? "as expected" : "NOT as expected"}`
    ).pipe(Effect.as(ok ? exitCodes.ok : exitCodes.failed))
  })
  runProcess(toExitCode(asExpected, terminal()))
}
