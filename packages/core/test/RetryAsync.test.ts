import { describe, expect, it } from "@effect/vitest"
import { CallError, Presets, RetryAsync, RetryEvent, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Effect, ManagedRuntime, TestClock, TestContext } from "effect"

const policy = RetryPolicy.make({ name: "async", maxAttempts: 3, base: 100, throttling: { base: 1000 } })

/** A runtime on TestClock: the Promise face waits on it, and the test moves it without waiting on the wall clock. */
const testRuntime = async () => {
  const managed = ManagedRuntime.make(TestContext.TestContext)
  const runtime = await managed.runtime()
  const advance = (ms: number) => managed.runPromise(Effect.andThen(Effect.yieldNow(), TestClock.adjust(ms)))
  const now = () => managed.runPromise(Effect.clockWith((c) => c.currentTimeMillis))
  return { runtime, advance, now, dispose: () => managed.dispose() }
}

const throttled = () => Testing.failureOf("throttle")!

describe("RetryAsync.retryAsync", () => {
  it("resolves after retries, with every delay on the controllable clock", async () => {
    const rt = await testRuntime()
    const calls: Array<number> = []
    const result = RetryAsync.retryAsync(
      async ({ attempt }) => {
        calls.push(await rt.now())
        if (attempt < 3) throw throttled()
        return "done"
      },
      RetryPolicy.modify(policy, { jitter: "none" }),
      { runtime: rt.runtime }
    )
    await rt.advance(10_000)
    expect(await result).toBe("done")
    const [a, b, c] = calls
    expect([b! - a!, c! - b!]).toEqual([1000, 2000])
    await rt.dispose()
  })

  it("rejects with the last typed failure and the retry summary", async () => {
    const rt = await testRuntime()
    const pending = RetryAsync.retryAsync(() => Promise.reject(throttled()), policy, { runtime: rt.runtime })
    pending.catch(() => undefined)
    await rt.advance(60_000)
    const error = await pending.then(() => undefined, (e: unknown) => e)
    expect(CallError.isThrottlingError(error)).toBe(true)
    expect((error as CallError.ThrottlingError).retries).toMatchObject({ attempts: 3, stopReason: "maxAttempts" })
    await rt.dispose()
  })

  it("rethrows unclassified errors unchanged, without retrying", async () => {
    let calls = 0
    const boom = new TypeError("boom")
    const error = await RetryAsync.retryAsync(() => {
      calls++
      return Promise.reject(boom)
    }, policy).then(() => undefined, (e: unknown) => e)
    expect(error).toBe(boom)
    expect(calls).toBe(1)
  })

  it("classifies with the caller's hook", async () => {
    const rt = await testRuntime()
    let calls = 0
    const result = RetryAsync.retryAsync(
      () => (++calls < 2 ? Promise.reject({ status: 503 }) : Promise.resolve("ok")),
      policy,
      {
        runtime: rt.runtime,
        classify: (e) =>
          typeof e === "object" && e !== null && "status" in e && e.status === 503 ?
            new CallError.TransientError({
              service: "web",
              operation: "get",
              code: "503",
              reason: "server",
              ambiguous: false
            }) :
            undefined
      }
    )
    await rt.advance(1_000)
    expect(await result).toBe("ok")
    expect(calls).toBe(2)
    await rt.dispose()
  })

  it("an abort mid-backoff rejects at once, aborts the function's signal, and makes no further attempt", async () => {
    const rt = await testRuntime()
    const controller = new AbortController()
    const signals: Array<AbortSignal> = []
    const pending = RetryAsync.retryAsync(
      ({ signal }) => {
        signals.push(signal)
        return Promise.reject(throttled())
      },
      policy,
      { runtime: rt.runtime, signal: controller.signal }
    )
    pending.catch(() => undefined)
    await rt.advance(0) // the first attempt has failed; the call is sleeping in its backoff
    expect(signals).toHaveLength(1)
    controller.abort()
    const error = await pending.then(() => undefined, (e: unknown) => e)
    expect((error as Error).name).toBe("AbortError")
    await rt.advance(60_000)
    expect(signals).toHaveLength(1)
    await rt.dispose()
  })

  it("aborting during an attempt aborts the signal the function received", async () => {
    const controller = new AbortController()
    let seen: AbortSignal | undefined
    const pending = RetryAsync.retryAsync(
      ({ signal }) => {
        seen = signal
        return new Promise<never>(() => undefined)
      },
      policy,
      { signal: controller.signal }
    )
    await new Promise((r) => setImmediate(r))
    controller.abort()
    await pending.catch(() => undefined)
    expect(seen?.aborted).toBe(true)
  })

  it("a signal already aborted rejects at once and never calls the function", async () => {
    let calls = 0
    const reason = new Error("the caller gave up")
    const controller = new AbortController()
    controller.abort(reason)
    const error = await RetryAsync.retryAsync(
      () => {
        calls++
        return Promise.resolve("ran")
      },
      policy,
      { signal: controller.signal }
    ).then((value) => value, (e: unknown) => e)
    expect(error).toBe(reason)
    expect(calls).toBe(0)
    // Without an Error as its reason, the rejection is an AbortError.
    const bare = await RetryAsync.retryAsync(() => Promise.resolve("ran"), policy, { signal: AbortSignal.abort("x") })
      .then((value) => value, (e: unknown) => e)
    expect((bare as Error).name).toBe("AbortError")
  })

  it("feeds the same observers as Effect code", async () => {
    const tags: Array<string> = []
    const runtime = await Effect.runPromise(
      Effect.runtime<never>().pipe(
        Effect.provide(RetryEvent.addObserver((e) => Effect.sync(() => tags.push(e._tag)))),
        Effect.scoped
      )
    )
    await RetryAsync.retryAsync(() => Promise.resolve(1), Presets.none, { runtime })
    expect(tags).toEqual(["AttemptStarted", "Succeeded"])
  })
})

describe("RetryAsync.retryable", () => {
  it("decorates a class method: the method name becomes the operation; `this` is kept", async () => {
    const operations: Array<string> = []
    const runtime = await Effect.runPromise(
      Effect.runtime<never>().pipe(
        Effect.provide(
          RetryEvent.addObserver((e) => Effect.sync(() => "call" in e && operations.push(e.call.operation)))
        ),
        Effect.scoped
      )
    )
    class Buckets {
      calls = 0
      @RetryAsync.retryable(RetryPolicy.make({ name: "fast", maxAttempts: 3, base: 0, throttling: { base: 0 } }), {
        service: "S3",
        runtime
      })
      async list(prefix: string): Promise<string> {
        if (++this.calls < 3) throw throttled()
        return `${prefix}:${this.calls}`
      }
    }
    const buckets = new Buckets()
    expect(await buckets.list("logs/")).toBe("logs/:3")
    expect(new Set(operations)).toEqual(new Set(["list"]))
  })
})
