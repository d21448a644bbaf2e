/**
 * Scenario 3 of the boto3 guide — calling Lambda functions under rate limiting.
 *
 * Many concurrent invocations hit a function with low reserved concurrency. Throttles (HTTP 429, which prove the
 * function did not run) are retried; the adaptive limiter — AWS adaptive mode's CUBIC controller, but FIFO and keyed
 * per function — learns the rate the function sustains and paces the callers, so fewer calls are wasted. `Invoke` is
 * never repeated after a failure where the function may have run, and the function's own execution count proves that
 * every invocation ran exactly once.
 *
 * Run it: `pnpm example:lambda`
 *
 * @since 0.1.0
 */
import * as Lambda from "@rebound/aws/Lambda"
import { type Fault, Lab, type LabError } from "@rebound/aws/testing"
import { AdaptiveLimiter, type CallError, type InvalidOption, Presets, RetryPolicy } from "@rebound/core"
import { Effect, Option } from "effect"
import { runMain } from "./internal/run.js"

/**
 * @since 0.1.0
 */
export interface Options {
  readonly invocations?: number | undefined
  readonly reservedConcurrency?: number | undefined
  /** How long the function runs, in milliseconds. */
  readonly workMillis?: number | undefined
  /** The policy; default: AWS adaptive mode's curves with a per-function limiter and enough attempts to finish. */
  readonly policy?: RetryPolicy.RetryPolicy | undefined
  /** Faults to inject on top of the function's own limits (throttles: `Invoke` is retried only when it did not run). */
  readonly faults?: ReadonlyArray<Fault.Rule> | undefined
}

/**
 * @since 0.1.0
 */
export interface Result {
  readonly invocations: number
  readonly succeeded: number
  /** Invocations the function ran more than once: must be 0. */
  readonly duplicates: number
  /** 429s the endpoint answered. */
  readonly throttled: number
  readonly peakConcurrency: number
  /** The rate the limiter settled on, per second. */
  readonly limiterRate: number | undefined
  readonly ok: boolean
}

/** The limiter: keyed by default per client and resource, so one per function. */
export const limiter = AdaptiveLimiter.make({ name: "thumbnails" })

/** AWS adaptive mode's 2026 curves, a per-function limiter, and attempts enough to ride out a burst. */
export const policy = RetryPolicy.modify(Presets.awsJs2026Adaptive, {
  name: "adaptive-per-function",
  maxAttempts: 12,
  maxElapsed: "2 minutes",
  limiter
})

/**
 * Fires `invocations` concurrent invocations at a function with little reserved concurrency.
 *
 * @since 0.1.0
 */
export const program = (
  options: Options = {}
): Effect.Effect<
  Result,
  CallError.CallError | InvalidOption.InvalidOptionError | LabError.LabError,
  Lab.Lab | Lambda.Lambda
> =>
  Effect.gen(function*() {
    const lab = yield* Lab.Lab
    const lambda = yield* Lambda.Lambda
    const invocations = options.invocations ?? 60
    const work = options.workMillis ?? 20
    const runs = new Map<number, number>()
    yield* lab.register(
      "thumbnail",
      async (event) => {
        const id = (event as { readonly id: number }).id
        runs.set(id, (runs.get(id) ?? 0) + 1)
        await new Promise((resolve) => setTimeout(resolve, work)) // @allow-real-time: the function body the lab runs
        return { thumbnail: `thumb-${id}.png` }
      },
      { reservedConcurrency: options.reservedConcurrency ?? 2 }
    )
    if (options.faults !== undefined && options.faults.length > 0) yield* lab.push(...options.faults)
    const chosen = options.policy ?? policy
    const results = yield* Effect.forEach(
      Array.from({ length: invocations }, (_, id) => id),
      (id) => Effect.either(lambda.invoke({ FunctionName: "thumbnail", payload: { id } }, { policy: chosen })),
      { concurrency: "unbounded" }
    )
    const counts = yield* lab.executions("thumbnail")
    const state = chosen.limiter === undefined ?
      Option.none() :
      yield* AdaptiveLimiter.current(chosen.limiter, {
        service: "Lambda",
        operation: "Invoke",
        resource: "thumbnail",
        scope: lambda.guardScope
      })
    const succeeded = results.filter((r) => r._tag === "Right").length
    const duplicates = [...runs.values()].filter((n) => n > 1).length
    return {
      invocations,
      succeeded,
      duplicates,
      throttled: counts.throttled,
      peakConcurrency: counts.peakConcurrency,
      limiterRate: Option.getOrUndefined(Option.map(state, (s) => Math.round(s.fillRate * 100) / 100)),
      ok: succeeded === invocations && duplicates === 0 && runs.size === invocations
    } satisfies Result
  })

runMain(import.meta, program())
