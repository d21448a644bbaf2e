import { describe, expect, it } from "@effect/vitest"
import {
  AdaptiveLimiter,
  CircuitBreaker,
  Presets,
  RetryBudget,
  RetryPolicy,
  RetryQuota,
  StateStore
} from "@rebound/core"
import type { CallError } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Client, EventQueue, Policies, Rng } from "@rebound/simulator"
import { Cause, Clock, Effect, Exit, Option, TestClock } from "effect"
import type { Array as Arr } from "effect"

// The same policy, the same scripted outcomes and the same random draws, run twice: by rebound's Effect interpreter
// (`RetryPolicy.retry` under `TestClock`, through `@rebound/core/testing`) and by the simulator's event loop. The two
// must make the same decisions: the same stop reasons, the same delays and the same attempt instants.

type Script = Arr.NonEmptyReadonlyArray<Testing.Outcome>

interface Observed {
  readonly attempts: ReadonlyArray<number>
  readonly delays: ReadonlyArray<number>
  readonly stopReason: CallError.StopReason | undefined
}

const LATENCY_MS = 7
const GAP_MS = 3
const outcomeAt = (script: Script, attempt: number): Client.Outcome =>
  Testing.failureOf(script[Math.min(attempt, script.length) - 1]!) ?? "success"

/** The interpreter's view: each call starts where the clock stands; returns raw (unrounded) attempt instants too. */
const viaEffect = (policy: RetryPolicy.RetryPolicy, calls: ReadonlyArray<Script>, draws: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const store = StateStore.makeMemory()
    const out: Array<Observed & { readonly start: number; readonly raw: ReadonlyArray<number> }> = []
    let used = 0
    for (const outcomes of calls) {
      // A gap between calls, so the simulator, which schedules every call up front, never starts one at the instant
      // the previous one ends (the queue would run the start first; the interpreter runs them in sequence).
      yield* TestClock.adjust(GAP_MS)
      const start = yield* Clock.currentTimeMillis
      const raw: Array<number> = []
      const timeline = yield* Testing.timelineOf(
        { outcomes, store, draws: draws.slice(used) as unknown as Arr.NonEmptyReadonlyArray<number>, idempotent: true },
        (call) =>
          RetryPolicy.retry(
            Effect.sleep(LATENCY_MS).pipe(
              Effect.zipRight(Clock.currentTimeMillis),
              Effect.tap((now) => Effect.sync(() => raw.push(now))),
              Effect.zipRight(call)
            ),
            policy,
            { idempotent: true, service: "TestService", operation: "TestOperation" }
          )
      )
      used += timeline.attempts.length - (timeline.stopReason === undefined ? 1 : 0)
      out.push({ ...timeline, start, raw })
    }
    return out
  })

/**
 * The simulator's view of the same calls: call `i` starts at `starts[i]` (ms) and each of its attempts takes
 * `latency(i)`; attempt instants are relative to the call's start.
 */
const viaSimulator = (
  policy: Client.SimPolicy,
  calls: ReadonlyArray<Script>,
  starts: ReadonlyArray<number>,
  seed: number,
  latency: (i: number) => number = () => LATENCY_MS
) => {
  const queue = EventQueue.make()
  const client = Client.make(queue, policy, Rng.stream(seed, "jitter", 0))
  const out: Array<Observed & { readonly decided: ReadonlyArray<number> }> = []
  calls.forEach((script, i) => {
    queue.schedule(EventQueue.micros(starts[i]!), () => {
      const start = queue.now
      const attempts: Array<number> = []
      client.call(
        (reply) =>
          queue.after(EventQueue.micros(latency(i)), () => {
            attempts.push(queue.now - start)
            reply(outcomeAt(script, attempts.length))
          }),
        (result) => {
          out[i] = {
            attempts: attempts.map((us) => us / 1000),
            delays: attempts.slice(1).map((us, k) => (us - attempts[k]!) / 1000),
            stopReason: result.stopReason,
            decided: result.delaysMillis
          }
        },
        { idempotent: true }
      )
    })
  })
  queue.run()
  return out
}

const drawsOf = (seed: number) => {
  const s = Rng.stream(seed, "jitter", 0)
  return Array.from({ length: 2000 }, () => s.next())
}

const scripts = (seed: number, count: number): ReadonlyArray<Script> => {
  const s = Rng.stream(seed, "scripts")
  const kinds: ReadonlyArray<Testing.Outcome> = ["throttle", "throttle", "transient", "ambiguous", "success", "fatal"]
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(s.next() * 6)
    const script = Array.from({ length }, () => kinds[Math.floor(s.next() * kinds.length)]!)
    return [...script, "success"] as unknown as Script
  })
}

const checked: ReadonlyArray<Client.SimPolicy> = [
  Policies.of("rebound", "", Presets.rebound),
  Policies.of("aws-js-2026", "", Presets.awsJs2026),
  Policies.of("aws-js-pre-2026", "", Presets.awsJsPre2026),
  Policies.of("aws-js-2026-adaptive", "", Presets.awsJs2026Adaptive),
  ...Policies.brooker.map((p) => Policies.of(p.name, "", RetryPolicy.modify(p.policy, { maxAttempts: 6 }))),
  Policies.of("sre", "", RetryPolicy.make({ maxAttempts: 4, budget: RetryBudget.sre })),
  Policies.of(
    "finagle-tight",
    "",
    RetryPolicy.make({ maxAttempts: 5, budget: RetryBudget.ratio({ minRetriesPerSecond: 0.2 }) })
  ),
  Policies.of("grpc", "", RetryPolicy.make({ maxAttempts: 5, budget: RetryBudget.grpc })),
  Policies.of(
    "guarded",
    "",
    RetryPolicy.make({
      maxAttempts: 5,
      maxElapsed: 3_000,
      quota: RetryQuota.make({ capacity: 30 }),
      breaker: CircuitBreaker.consecutive({ threshold: 4, breakDuration: 500 }),
      limiter: AdaptiveLimiter.aws
    })
  )
]

describe("the simulator and rebound's Effect interpreter make the same decisions", () => {
  const stopReasons = new Set<string>()
  for (const policy of checked) {
    // AWS presets round every delay to whole milliseconds, so both clocks land on the same instants exactly; other
    // curves give fractional delays, which the simulator's clock rounds to the nearest microsecond per sleep.
    const limited = policy.policy.limiter !== undefined
    const exact = policy.policy.backoff.wholeMillis && !limited
    it.effect(`${policy.name}: same stop reasons, delays and attempt instants on the same draws`, () =>
      Effect.gen(function*() {
        for (const seed of [1, 2]) {
          const calls = scripts(seed, 20)
          const draws = drawsOf(seed)
          const effect = yield* viaEffect(policy.policy, calls, draws)
          const sim = viaSimulator(policy, calls, effect.map((e) => e.start), seed)
          expect(sim.length).toBe(calls.length)
          sim.forEach((s, i) => {
            const e = effect[i]!
            expect(s.stopReason, `call ${i} stop reason`).toBe(e.stopReason)
            stopReasons.add(s.stopReason ?? "success")
            expect(s.attempts.length, `call ${i} attempts`).toBe(e.attempts.length)
            if (exact) {
              expect(s.attempts, `call ${i} attempt instants`).toEqual(e.attempts)
              expect(s.delays, `call ${i} gaps`).toEqual(e.delays)
            }
            // The simulator's clock counts whole microseconds, so each sleep it takes is rounded by at most ½ µs: a
            // backoff delay once per gap, and a limiter wait once per re-estimate (at most every 250 ms). A limiter that
            // learns the admitted rate computes it from the instants of every earlier response, so those roundings
            // accumulate from call to call: its instants agree within 50 µs (20 calls; the largest seen is 15 µs).
            const learns = policy.policy.limiter?.learnFrom === "admitted"
            const rechecks = (ms: number) => learns ? 50 : limited ? Math.ceil(ms / AdaptiveLimiter.recheckMillis) : 0
            const raw = e.raw.map((t) => (t - e.start) * 1000)
            s.attempts.forEach((ms, k) => {
              const us = ms * 1000
              expect(Math.abs(us - raw[k]!), `call ${i} attempt ${k} instant`).toBeLessThanOrEqual(
                k + rechecks(ms) + 1e-6
              )
              if (k > 0) {
                const gap = us - s.attempts[k - 1]! * 1000
                expect(Math.abs(gap - (raw[k]! - raw[k - 1]!)), `call ${i} gap ${k}`).toBeLessThanOrEqual(
                  1 + 2 * rechecks(ms) + 1e-6
                )
              }
            })
          })
        }
      }))
  }

  it("the scripts reached every way a call can end that the guards and limits allow", () => {
    expect([...stopReasons].sort()).toEqual(
      ["budget", "circuitOpen", "maxAttempts", "maxElapsed", "notRetryable", "quota", "success"]
    )
  })

  it.effect("the comparison can fail: a different draw sequence changes the decisions", () =>
    Effect.gen(function*() {
      const policy = Policies.of("full", "", Presets.awsJs2026)
      const calls = scripts(1, 10)
      const effect = yield* viaEffect(policy.policy, calls, drawsOf(1))
      const sim = viaSimulator(policy, calls, effect.map((e) => e.start), 99)
      expect(sim.map((s) => s.attempts)).not.toEqual(effect.map((e) => e.attempts))
    }))
})

// Concurrent calls sharing one client's guards — what scenarios B1, C1 and C2 exercise: calls overlap, so one call's
// failures open the breaker under another, spend the quota another needs, and slow the limiter another waits on.
// Every call starts at its own instant and has its own latency (whole microseconds apart), so no two events of the run
// ever share an instant and both engines see them, and take their draws, in the same order.

const CONCURRENT = 12

/** Scripts for overlapping calls: mostly failures, so the shared guards engage. */
const stormScripts = (seed: number, count: number): ReadonlyArray<Script> => {
  const s = Rng.stream(seed, "storm")
  const kinds: ReadonlyArray<Testing.Outcome> = [
    "transient",
    "transient",
    "transient",
    "throttle",
    "throttle",
    "success"
  ]
  return Array.from({ length: count }, () => {
    const length = 2 + Math.floor(s.next() * 5)
    const script = Array.from({ length }, () => kinds[Math.floor(s.next() * kinds.length)]!)
    return [...script, "success"] as unknown as Script
  })
}

const latencyOf = (i: number) => LATENCY_MS + (i + 1) * 0.001
const startOf = (i: number) => i * 1.5 + 0.0005 * i

interface Concurrent {
  readonly attempts: ReadonlyArray<number>
  readonly stopReason: CallError.StopReason | undefined
}

const concurrentViaEffect = (
  policy: RetryPolicy.RetryPolicy,
  calls: ReadonlyArray<Script>,
  draws: Arr.NonEmptyReadonlyArray<number>
) =>
  Effect.gen(function*() {
    const store = StateStore.makeMemory()
    // The simulator starts at 0, and the limiter measures its send rate in half-second buckets of absolute time:
    // start on a whole second so both engines cut the same buckets.
    yield* TestClock.setTime(Math.ceil((yield* Clock.currentTimeMillis) / 1000 + 1) * 1000)
    const origin = yield* Clock.currentTimeMillis
    const one = (script: Script, i: number) =>
      Effect.gen(function*() {
        yield* Effect.sleep(startOf(i))
        const scripted = yield* Testing.scripted(script)
        const exit = yield* Effect.exit(
          RetryPolicy.retry(
            Effect.sleep(latencyOf(i)).pipe(Effect.zipRight(scripted.call)),
            policy,
            { idempotent: true, service: "TestService", operation: "TestOperation" }
          )
        )
        const attempts = (yield* scripted.attempts).map((t) => t - origin)
        const stopReason = Exit.isFailure(exit) ?
          Option.getOrUndefined(Cause.failureOption(exit.cause))?.retries?.stopReason :
          undefined
        return { attempts, stopReason } satisfies Concurrent
      })
    const { exit } = yield* Testing.run(
      Effect.forEach(calls, one, { concurrency: "unbounded" }).pipe(
        Testing.withDraws(draws),
        Effect.provideService(StateStore.StateStore, store)
      )
    )
    return Exit.isSuccess(exit) ? exit.value : []
  })

describe("concurrent calls sharing a breaker, a quota and a limiter: the simulator and the interpreter agree", () => {
  const shared: ReadonlyArray<Client.SimPolicy> = [
    Policies.of("rebound", "", Presets.rebound),
    Policies.of("aws-js-2026-adaptive", "", Presets.awsJs2026Adaptive),
    Policies.of(
      "guarded",
      "",
      RetryPolicy.make({
        maxAttempts: 5,
        maxElapsed: 3_000,
        quota: RetryQuota.make({ capacity: 60 }),
        breaker: CircuitBreaker.consecutive({ threshold: 4, breakDuration: 200 }),
        limiter: AdaptiveLimiter.aws
      })
    )
  ]
  for (const policy of shared) {
    it.effect(
      `${policy.name}: ${CONCURRENT} overlapping calls make the same decisions at the same instants`,
      () =>
        Effect.gen(function*() {
          const reasons = new Set<string>()
          let overlapped = false
          let held = false
          // Limiter waits make many clock steps; two seeds suffice there.
          for (const seed of policy.policy.limiter === undefined ? [1, 2, 3] : [1, 2]) {
            const calls = stormScripts(seed, CONCURRENT)
            const draws = drawsOf(seed) as unknown as Arr.NonEmptyReadonlyArray<number>
            const effect = yield* concurrentViaEffect(policy.policy, calls, draws)
            const starts = calls.map((_, i) => startOf(i))
            // Attempt instants from the start of the run, as the interpreter's are.
            const sim = viaSimulator(policy, calls, starts, seed, latencyOf).map((s, i) => ({
              ...s,
              attempts: s.attempts.map((ms) => ms + starts[i]!)
            }))
            expect(effect).toHaveLength(CONCURRENT)
            // Do the calls overlap? (Some call starts before another has ended.)
            const spans = effect.map((e, i) => [startOf(i), e.attempts.at(-1) ?? -Infinity] as const)
            overlapped ||= spans.some(([start], i) => spans.some(([s, end], j) => j !== i && s < start && start < end))
            held ||= effect.some((e, i) => (e.attempts[0] ?? 0) > startOf(i) + latencyOf(i) + 1)
            effect.forEach((e, i) => {
              const s = sim[i]!
              reasons.add(e.stopReason ?? "success")
              expect(s.stopReason, `seed ${seed} call ${i} stop reason`).toBe(e.stopReason)
              expect(s.attempts.length, `seed ${seed} call ${i} attempts`).toBe(e.attempts.length)
              // Whole microseconds in the simulator: ½ µs per sleep it rounds, a limiter re-estimate every 250 ms.
              s.attempts.forEach((ms, k) => {
                const allowance = (k + 2 + Math.ceil(ms / AdaptiveLimiter.recheckMillis)) / 1000
                expect(Math.abs(ms - e.attempts[k]!), `seed ${seed} call ${i} attempt ${k}`).toBeLessThanOrEqual(
                  allowance
                )
              })
            })
          }
          expect(overlapped).toBe(true)
          // The guards really acted on the overlapping calls: a breaker or a quota stopped some, or the limiter held some.
          expect([...reasons].some((r) => r === "circuitOpen" || r === "quota" || r === "maxElapsed") || held).toBe(
            true
          )
        }),
      60_000
    )
  }
})
