// The Invoke protocol (LOCAL-AWS-LAB.md §4.2) through the real LambdaClient, straight to the server.
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda"
import { describe, expect, layer } from "@effect/vitest"
import { LambdaServer } from "@rebound/aws/testing"
import { Context, Data, Effect, Layer, Schedule } from "effect"
import { call, failure, names, outcome } from "./labCalls.js"

class Server extends Context.Tag("test/LambdaServer")<Server, LambdaServer.LambdaServer>() {}

class PaymentDeclined extends Data.TaggedError("PaymentDeclined")<{ readonly amount: number }> {}

/** Polls until the predicate holds (the test's timeout bounds it) and returns the value that satisfied it. */
const eventually = <A>(effect: Effect.Effect<A>, done: (a: A) => boolean) =>
  Effect.repeat(effect, Schedule.recurUntil(done).pipe(Schedule.addDelay(() => "10 millis")))

const text = (payload: Uint8Array | undefined) => payload === undefined ? undefined : Buffer.from(payload).toString()

const withClient = <A, E>(f: (client: LambdaClient, server: LambdaServer.LambdaServer) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const server = yield* Server
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new LambdaClient({
          region: "us-east-1",
          endpoint: server.url,
          credentials: { accessKeyId: "x", secretAccessKey: "x" },
          maxAttempts: 1
        })
      ),
      (c) => Effect.sync(() => c.destroy())
    )
    return yield* f(client, server)
  })

const invoke = (client: LambdaClient, input: ConstructorParameters<typeof InvokeCommand>[0]) =>
  call((abortSignal) => client.send(new InvokeCommand(input), { abortSignal }))

const serverLayer = Layer.scoped(
  Server,
  LambdaServer.make({
    functions: {
      echo: (event, context) => {
        context.log(`echoing for ${context.functionName}`)
        return { echo: event }
      },
      boom: () => {
        const error = new Error("kaboom")
        error.name = "MyError"
        throw error
      },
      decline: () => Effect.fail(new PaymentDeclined({ amount: 12 })),
      later: (event) => Promise.resolve(event)
    }
  })
)

layer(serverLayer, { excludeTestServices: true })("LambdaServer", (it) => {
  describe("RequestResponse", () => {
    it.scoped("returns the handler's result, the executed version and a request id", () =>
      withClient((client) =>
        Effect.gen(function*() {
          const r = yield* invoke(client, { FunctionName: "echo", Payload: JSON.stringify({ a: 1 }) })
          expect(r.StatusCode).toBe(200)
          expect(text(r.Payload)).toBe(JSON.stringify({ echo: { a: 1 } }))
          expect(r.ExecutedVersion).toBe("$LATEST")
          expect(r.FunctionError).toBeUndefined()
          expect(r.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
        })
      ))

    it.scoped("takes the name from an ARN and reports the qualifier; a promise result is awaited", () =>
      withClient((client) =>
        Effect.gen(function*() {
          const r = yield* invoke(client, {
            FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:later",
            Qualifier: "live",
            Payload: "[1,2]"
          })
          expect([r.ExecutedVersion, text(r.Payload)]).toEqual(["live", "[1,2]"])
          const partial = yield* invoke(client, { FunctionName: "123456789012:function:later:7", Payload: "3" })
          expect([partial.ExecutedVersion, text(partial.Payload)]).toEqual(["7", "3"])
        })
      ))

    it.scoped("with LogType Tail, returns the log in base64", () =>
      withClient((client) =>
        Effect.gen(function*() {
          const r = yield* invoke(client, { FunctionName: "echo", LogType: "Tail" })
          const log = Buffer.from(r.LogResult ?? "", "base64").toString()
          expect(log).toContain(`START RequestId: ${r.$metadata.requestId}`)
          expect(log).toContain("echoing for echo")
          expect(log).toContain(`END RequestId: ${r.$metadata.requestId}`)
          expect(text(r.Payload)).toBe(JSON.stringify({ echo: null })) // an empty payload is null
        })
      ))

    it.scoped("a thrown error is a function error, not an exception", () =>
      withClient((client, server) =>
        Effect.gen(function*() {
          const r = yield* invoke(client, { FunctionName: "boom", Payload: "{}" })
          expect([r.StatusCode, r.FunctionError]).toEqual([200, "Unhandled"])
          const body = JSON.parse(text(r.Payload) ?? "")
          expect([body.errorType, body.errorMessage]).toEqual(["MyError", "kaboom"])
          expect(Array.isArray(body.trace)).toBe(true)
          expect(yield* server.executions("boom")).toMatchObject({ started: 1, completed: 1, failed: 1 })
        })
      ))

    it.scoped("a failed Effect reports its tag as the error type", () =>
      withClient((client) =>
        Effect.gen(function*() {
          const r = yield* invoke(client, { FunctionName: "decline" })
          expect(r.FunctionError).toBe("Unhandled")
          expect(JSON.parse(text(r.Payload) ?? "").errorType).toBe("PaymentDeclined")
        })
      ))

    it.scoped("a payload that is not JSON is refused", () =>
      withClient((client) =>
        Effect.gen(function*() {
          const error = yield* failure((abortSignal) =>
            client.send(new InvokeCommand({ FunctionName: "echo", Payload: "{not json" }), { abortSignal })
          )
          expect([error.name, error.$metadata?.httpStatusCode]).toEqual(["InvalidRequestContentException", 400])
        })
      ))
  })

  describe("Event and DryRun", () => {
    it.scoped("Event answers 202 at once and runs the handler afterwards", () =>
      withClient((client, server) =>
        Effect.gen(function*() {
          const ran: Array<unknown> = []
          yield* server.register("queue", (event) => Effect.sync(() => ran.push(event)).pipe(Effect.delay("50 millis")))
          const r = yield* invoke(client, { FunctionName: "queue", InvocationType: "Event", Payload: "{\"n\":1}" })
          expect(r.StatusCode).toBe(202)
          expect(r.Payload?.length ?? 0).toBe(0) // client-lambda 3.1164.0 reports an empty body as null
          expect(ran).toEqual([]) // answered before the handler finished
          const counts = yield* eventually(server.executions("queue"), (c) => c.completed === 1)
          expect(counts).toMatchObject({ started: 1, completed: 1, failed: 0 })
          expect(ran).toEqual([{ n: 1 }])
        })
      ))

    it.scoped("DryRun answers 204 and runs nothing", () =>
      withClient((client, server) =>
        Effect.gen(function*() {
          yield* server.register("dry", () => "ran")
          const r = yield* invoke(client, { FunctionName: "dry", InvocationType: "DryRun" })
          expect(r.StatusCode).toBe(204)
          expect(yield* server.executions("dry")).toMatchObject({ started: 0 })
        })
      ))
  })

  describe("errors", () => {
    it.scoped("an unknown function is ResourceNotFoundException 404", () =>
      withClient((client) =>
        Effect.gen(function*() {
          const error = yield* failure((abortSignal) =>
            client.send(new InvokeCommand({ FunctionName: "nope" }), { abortSignal })
          )
          expect([error.name, error.$metadata?.httpStatusCode, error.$fault]).toEqual([
            "ResourceNotFoundException",
            404,
            "client"
          ])
          expect(error.message).toBe("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
        })
      ))

    it.effect("any other path is UnknownOperationException, and every answer has a request id", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const response = yield* Effect.promise(() => fetch(`${server.url}/2015-03-31/functions/echo`))
        expect(response.status).toBe(404)
        expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException")
        expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/)
        yield* Effect.promise(() => response.text())
      }))

    it.effect("bad options are refused with the field named", () =>
      Effect.gen(function*() {
        const server = yield* Server
        const error = yield* Effect.flip(server.register("bad", () => null, { reservedConcurrency: -1 }))
        expect([error._tag, error.field]).toEqual(["InvalidOptionError", "reservedConcurrency"])
      }))
  })

  describe("reserved concurrency", () => {
    it.scoped("concurrent load past the limit gets 429 with the concurrency reason; nothing runs twice", () =>
      withClient((client, server) =>
        Effect.gen(function*() {
          yield* server.register("slow", () => Effect.succeed("done").pipe(Effect.delay("150 millis")), {
            reservedConcurrency: 2,
            retryAfter: "1 second"
          })
          const results = yield* Effect.forEach(
            Array.from({ length: 8 }, (_, i) => i),
            (i) =>
              outcome((abortSignal) =>
                client.send(new InvokeCommand({ FunctionName: "slow", Payload: `${i}` }), { abortSignal })
              ),
            { concurrency: "unbounded" }
          )
          const ok = names(results).filter((n) => n === "ok").length
          const refused = results.flatMap((r) => r._tag === "Left" ? [r.left] : [])
          expect(ok).toBeGreaterThanOrEqual(2)
          expect(refused.length).toBeGreaterThan(0)
          for (const error of refused) {
            expect([error.name, error.$metadata?.httpStatusCode, error.Reason, error.retryAfterSeconds]).toEqual([
              "TooManyRequestsException",
              429,
              "ReservedFunctionConcurrentInvocationLimitExceeded",
              "1"
            ])
          }
          expect(yield* server.executions("slow")).toEqual({
            started: ok,
            completed: ok,
            failed: 0,
            throttled: refused.length,
            inFlight: 0,
            peakConcurrency: 2
          })
        })
      ))

    it.scoped("Event invocations wait for a slot instead of being throttled", () =>
      withClient((client, server) =>
        Effect.gen(function*() {
          yield* server.register("serial", () => Effect.sleep("30 millis"), { reservedConcurrency: 1 })
          const results = yield* Effect.forEach(
            [1, 2, 3],
            () => invoke(client, { FunctionName: "serial", InvocationType: "Event" }),
            { concurrency: "unbounded" }
          )
          expect(results.map((r) => r.StatusCode)).toEqual([202, 202, 202])
          const counts = yield* eventually(server.executions("serial"), (c) => c.completed === 3)
          expect(counts).toMatchObject({ started: 3, throttled: 0, peakConcurrency: 1 })
        })
      ))
  })
})
