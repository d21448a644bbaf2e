import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Fiber, TestClock } from "effect"
import { withDeadline } from "../src/internal/deadline.js"

/** A request that settles only when told to, and records the signal it was given. */
const pending = () => {
  let signal: AbortSignal | undefined
  let settle: ((value: string) => void) | undefined
  const request = (s: AbortSignal) => {
    signal = s
    return new Promise<string>((resolve, reject) => {
      settle = resolve
      s.addEventListener("abort", () => reject(new Error("aborted")))
    })
  }
  return { request, signal: () => signal, settle: (value: string) => settle?.(value) }
}

const call = (request: (signal: AbortSignal) => PromiseLike<string>, timeout: Duration.DurationInput) =>
  withDeadline(request, (error) => `failed: ${String(error)}`, Duration.decode(timeout), () => "timed out")

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

describe("withDeadline", () => {
  it.effect("on TestClock the deadline fires at its exact instant and aborts the request", () =>
    Effect.gen(function*() {
      const r = pending()
      const fiber = yield* Effect.fork(Effect.either(call(r.request, "2 seconds")))
      yield* TestClock.adjust("1999 millis")
      expect(r.signal()?.aborted).toBe(false)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(fiber)).toEqual(Either.left("timed out"))
      expect(r.signal()?.aborted).toBe(true)
    }))

  it.effect("a deadline already due fires at once and still aborts the request", () =>
    Effect.gen(function*() {
      const r = pending()
      const fiber = yield* Effect.fork(Effect.either(call(r.request, 0)))
      yield* TestClock.adjust(0)
      expect(yield* Fiber.join(fiber)).toEqual(Either.left("timed out"))
      expect(r.signal()?.aborted).toBe(true)
    }))

  it.effect("a request that settles in time wins; a rejection goes through onError", () =>
    Effect.gen(function*() {
      expect(yield* call(() => Promise.resolve("ok"), "1 second")).toBe("ok")
      expect(yield* Effect.flip(call(() => Promise.reject(new Error("boom")), "1 second"))).toBe(
        "failed: Error: boom"
      )
      expect(
        yield* Effect.flip(call(() => {
          throw new Error("sync")
        }, "1 second"))
      ).toBe("failed: Error: sync")
    }))

  it.live("on the live clock: settling clears the timer; interrupting aborts the request and clears it too", () =>
    Effect.gen(function*() {
      const before = timers()
      const settled = pending()
      const fiber = yield* Effect.fork(call(settled.request, "1 hour"))
      yield* Effect.yieldNow()
      expect(timers()).toBe(before + 1)
      settled.settle("done")
      expect(yield* Fiber.join(fiber)).toBe("done")
      expect(timers()).toBe(before)

      const interrupted = pending()
      const other = yield* Effect.fork(call(interrupted.request, "1 hour"))
      yield* Effect.yieldNow()
      expect(timers()).toBe(before + 1)
      yield* Fiber.interrupt(other)
      expect(interrupted.signal()?.aborted).toBe(true)
      expect(timers()).toBe(before)
    }))

  it.live("on the live clock the deadline aborts a request that does not answer", () =>
    Effect.gen(function*() {
      const r = pending()
      expect(yield* Effect.flip(call(r.request, "5 millis"))).toBe("timed out")
      expect(r.signal()?.aborted).toBe(true)
    }))
})
