import { expect, layer } from "@effect/vitest"
import * as Lambda from "@rebound/aws/Lambda"
import { Fault, Lab } from "@rebound/aws/testing"
import { Effect } from "effect"
import { labWithServices } from "./helpers.js"

/** A Lambda error as Lambda encodes it (restJson1): the code in `x-amzn-errortype`, the message in the body. */
const lambdaError = (status: number, code: string, message: string) =>
  Fault.synthetic({ status, headers: { "x-amzn-errortype": code }, body: { Type: "User", message } })

const slow = (ms: number) => async (event: unknown) => {
  await new Promise((r) => setTimeout(r, ms))
  return { done: event }
}

layer(
  labWithServices({
    functions: {
      echo: { handler: (event) => ({ echo: event }) },
      boom: {
        handler: () => {
          throw Object.assign(new Error("kaboom"), { name: "MyError" })
        }
      },
      slow: { handler: slow(300) },
      slowIdempotent: { handler: slow(300) },
      narrow: { handler: slow(150), reservedConcurrency: 1 }
    }
  }),
  { excludeTestServices: true }
)("Lambda service", (it) => {
  it.effect("invokes and decodes the payload", () =>
    Effect.gen(function*() {
      const lambda = yield* Lambda.Lambda
      const result = yield* lambda.invoke({ FunctionName: "echo", payload: { order: 42 } })
      expect(result).toMatchObject({ statusCode: 200, payload: { echo: { order: 42 } }, executedVersion: "$LATEST" })
    }))

  it.effect("a function error is a typed FunctionError carrying the decoded payload, and is not retried", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      const before = (yield* lab.executions("boom")).started
      const error = yield* Effect.flip(lambda.invoke({ FunctionName: "boom" }))
      expect(error._tag).toBe("FunctionError")
      if (error._tag === "FunctionError") {
        expect(error).toMatchObject({
          functionName: "boom",
          kind: "Unhandled",
          errorType: "MyError",
          errorMessage: "kaboom"
        })
        expect(error.message).not.toContain("kaboom")
      }
      expect((yield* lab.executions("boom")).started - before).toBe(1)
    }))

  it.effect("a throttle (the function did not run) is retried, keeping Lambda's Reason", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      yield* lab.push({
        service: "lambda",
        fault: Fault.throttle({ reason: "ConcurrentInvocationLimitExceeded" }),
        times: 2
      })
      const result = yield* lambda.invoke({ FunctionName: "echo", payload: 1 })
      expect(result.payload).toEqual({ echo: 1 })
      yield* lab.push({
        service: "lambda",
        fault: Fault.throttle({ reason: "ConcurrentInvocationLimitExceeded" }),
        times: 10
      })
      const error = yield* Effect.flip(lambda.invoke({ FunctionName: "echo" }))
      expect(error).toMatchObject({ _tag: "ThrottlingError", throttleReason: "ConcurrentInvocationLimitExceeded" })
    }))

  it.effect("an invoke that times out after the function ran is not repeated", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      const error = yield* Effect.flip(lambda.invoke({ FunctionName: "slow" }, { attemptTimeout: "100 millis" }))
      expect(error).toMatchObject({ _tag: "TransientError", code: "AttemptTimeout", ambiguous: true })
      if (error._tag !== "FunctionError") expect(error.retries?.stopReason).toBe("notIdempotent")
      yield* Effect.sleep("400 millis") // let the function finish
      expect(yield* lab.executions("slow")).toMatchObject({ started: 1, completed: 1 })
    }))

  it.effect("…unless the caller marks the call idempotent", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      const error = yield* Effect.flip(
        lambda.invoke({ FunctionName: "slowIdempotent" }, { attemptTimeout: "100 millis", idempotent: true })
      )
      expect(error).toMatchObject({ _tag: "TransientError", retries: { attempts: 4, stopReason: "maxAttempts" } })
      yield* Effect.sleep("400 millis")
      expect((yield* lab.executions("slowIdempotent")).started).toBe(4)
    }))

  it.effect("a reset after the request was forwarded is ambiguous: the function ran once and is not run again", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      const before = (yield* lab.executions("echo")).started
      yield* lab.push({ service: "lambda", fault: Fault.resetAfterForward, times: 1 })
      const error = yield* Effect.flip(lambda.invoke({ FunctionName: "echo" }))
      expect(error).toMatchObject({ _tag: "TransientError", ambiguous: true, retries: { stopReason: "notIdempotent" } })
      expect((yield* lab.executions("echo")).started - before).toBe(1)
    }))

  it.effect("a reset before forwarding looks like any reset to the client: not repeated either, and nothing ran", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      const before = (yield* lab.executions("echo")).started
      yield* lab.push({ service: "lambda", fault: Fault.resetBeforeForward, times: 1 })
      // A reset arrives as ECONNRESET: the SDK cannot tell whether the request was written, so rebound assumes it was.
      const error = yield* Effect.flip(lambda.invoke({ FunctionName: "echo" }))
      expect(error).toMatchObject({ _tag: "TransientError", code: "ECONNRESET", ambiguous: true })
      expect((yield* lab.executions("echo")).started - before).toBe(0)
    }))

  it.effect("a 503 HTML page (a load balancer's) after the request was sent is ambiguous: Invoke is not run again", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      yield* lab.push({ service: "lambda", fault: Fault.htmlPage(), times: 10 })
      const error = yield* Effect.flip(lambda.invoke({ FunctionName: "echo" }))
      expect(error).toMatchObject({
        _tag: "TransientError",
        httpStatus: 503,
        ambiguous: true,
        retries: { attempts: 1, stopReason: "notIdempotent" }
      })
      expect((yield* lab.log).filter((e) => e.operation === "Invoke").map((e) => e.action)).toEqual(["HtmlPage"])
    }))

  it.effect("an ENI not ready (502), a Pending function (409) and an EFS mount timeout (408) are retried: the function then runs once", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      const before = (yield* lab.executions("echo")).started
      yield* lab.push(
        { service: "lambda", fault: Fault.serverError(502, { code: "ENINotReadyException" }), times: 1 },
        {
          service: "lambda",
          fault: lambdaError(
            409,
            "ResourceConflictException",
            "The operation cannot be performed at this time. The function is currently in the following state: Pending"
          ),
          times: 1
        },
        { service: "lambda", fault: lambdaError(408, "EFSMountTimeoutException", "mount timed out"), times: 1 }
      )
      const result = yield* lambda.invoke({ FunctionName: "echo", payload: { once: true } })
      expect(result.payload).toEqual({ echo: { once: true } })
      expect((yield* lab.log).filter((e) => e.operation === "Invoke").map((e) => e.action)).toEqual([
        "ServerError",
        "Synthetic",
        "Synthetic",
        "forward"
      ])
      expect((yield* lab.executions("echo")).started - before).toBe(1)
    }))

  it.effect("a conflict because the function already exists is fatal, not retried", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      yield* lab.push({
        service: "lambda",
        fault: lambdaError(409, "ResourceConflictException", "Function already exist: echo"),
        times: 10
      })
      const error = yield* Effect.flip(lambda.invoke({ FunctionName: "echo" }))
      expect(error).toMatchObject({ _tag: "FatalError", reason: "conflict", code: "ResourceConflictException" })
      expect((yield* lab.log).filter((e) => e.operation === "Invoke")).toHaveLength(1)
    }))

  it.effect("reserved concurrency throttles under load: every invocation eventually runs exactly once", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const lambda = yield* Lambda.Lambda
      yield* lab.clear
      const results = yield* Effect.forEach(
        [1, 2, 3],
        (i) => Effect.either(lambda.invoke({ FunctionName: "narrow", payload: i })),
        { concurrency: "unbounded" }
      )
      const counts = yield* lab.executions("narrow")
      expect(counts.peakConcurrency).toBe(1)
      expect(counts.throttled).toBeGreaterThan(0)
      expect(counts.started).toBe(results.filter((r) => r._tag === "Right").length)
    }))
})
