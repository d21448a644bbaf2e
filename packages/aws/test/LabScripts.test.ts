// Scripted faults with consequences: whether the server did the work (ambiguity), how attempts are numbered, and
// that chaos is reproducible from its seed.
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { InvokeCommand } from "@aws-sdk/client-lambda"
import { describe, expect, layer } from "@effect/vitest"
import { Fault, Lab } from "@rebound/aws/testing"
import { Effect } from "effect"
import { call, failure, names, outcome } from "./labCalls.js"
import { type Clients, clients, freshLab } from "./labClients.js"

const put = (sdk: Clients, pk: string) => (abortSignal: AbortSignal) =>
  sdk.dynamodb.send(new PutItemCommand({ TableName: "scripts", Item: { pk: { S: pk } } }), { abortSignal })

/** Reads straight from dynalite, past the proxy. */
const stored = (upstream: Clients, pk: string) =>
  Effect.map(
    call((abortSignal) =>
      upstream.dynamodb.send(new GetItemCommand({ TableName: "scripts", Key: { pk: { S: pk } } }), { abortSignal })
    ),
    (r) => r.Item !== undefined
  )

const invoke = (sdk: Clients, name: string) => (abortSignal: AbortSignal) =>
  sdk.lambda.send(new InvokeCommand({ FunctionName: name, Payload: "{}" }), { abortSignal })

layer(Lab.layer({ tables: ["scripts"] }), { excludeTestServices: true })("scripted faults", (it) => {
  describe("resets", () => {
    it.scoped("before forwarding: the client sees ECONNRESET and the server never saw the request", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        const upstream = yield* clients(lab, { upstream: true })
        yield* lab.push({ operation: "PutItem", fault: Fault.resetBeforeForward })
        const error = yield* failure(put(sdk, "before"))
        expect([error.name, error.code]).toEqual(["TimeoutError", "ECONNRESET"])
        expect(yield* stored(upstream, "before")).toBe(false)
        const [entry] = yield* lab.log
        expect([entry?.action, entry?.status, entry?.upstreamStatus]).toEqual([
          "ResetBeforeForward",
          undefined,
          undefined
        ])
      }))

    it.scoped("after forwarding: the client sees ECONNRESET but the item was written (ambiguous)", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        const upstream = yield* clients(lab, { upstream: true })
        yield* lab.push({ operation: "PutItem", fault: Fault.resetAfterForward })
        const error = yield* failure(put(sdk, "after"))
        expect(error.code).toBe("ECONNRESET")
        expect(error.$metadata?.httpStatusCode).toBeUndefined()
        expect(yield* stored(upstream, "after")).toBe(true)
        const [entry] = yield* lab.log
        expect([entry?.action, entry?.status, entry?.upstreamStatus]).toEqual(["ResetAfterForward", undefined, 200])
      }))

    it.scoped("after forwarding an Invoke: the function ran exactly once, the caller cannot know", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        yield* lab.register("charge", () => ({ charged: true }))
        yield* lab.register("refund", () => ({ refunded: true }))
        yield* lab.push({ operation: "Invoke", resource: "charge", fault: Fault.resetAfterForward })
        yield* lab.push({ operation: "Invoke", resource: "refund", fault: Fault.resetBeforeForward })
        expect((yield* failure(invoke(sdk, "charge"))).code).toBe("ECONNRESET")
        expect((yield* failure(invoke(sdk, "refund"))).code).toBe("ECONNRESET")
        expect(yield* lab.executions("charge")).toMatchObject({ started: 1, completed: 1, failed: 0 })
        expect(yield* lab.executions("refund")).toMatchObject({ started: 0, completed: 0 })
      }))
  })

  describe("slow answers", () => {
    it.scoped("a delay before forwarding still succeeds", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        yield* lab.push({ operation: "PutItem", fault: Fault.delay("100 millis") })
        yield* call(put(sdk, "slow"))
        const [entry] = yield* lab.log
        expect([entry?.action, entry?.status, entry?.upstreamStatus]).toEqual(["Delay", 200, 200])
      }))

    it.scoped("a delay after the work, past the client's timeout: TimeoutError, yet the item was written", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const impatient = yield* clients(lab, { timeoutMs: 100 })
        const upstream = yield* clients(lab, { upstream: true })
        yield* lab.push({ operation: "PutItem", fault: Fault.delay("400 millis", { phase: "afterForward" }) })
        const error = yield* failure(put(impatient, "late"))
        expect([error.name, error.code]).toEqual(["TimeoutError", "ETIMEDOUT"])
        expect(yield* stored(upstream, "late")).toBe(true)
      }))
  })

  describe("matching", () => {
    it.scoped("`times` faults that many requests, then the rule is spent", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        yield* lab.push({
          service: "dynamodb",
          operation: "PutItem",
          resource: "scripts",
          fault: Fault.throttle(),
          times: 2
        })
        expect((yield* lab.pending).map((p) => p.remaining)).toEqual([2])
        const results = yield* Effect.forEach(["a", "b", "c"], (pk) => outcome(put(sdk, pk)))
        expect(names(results)).toEqual([
          "ProvisionedThroughputExceededException",
          "ProvisionedThroughputExceededException",
          "ok"
        ])
        expect(yield* lab.pending).toEqual([])
      }))

    it.scoped("rules for another table, operation or service do not fire", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        yield* lab.push(
          { resource: "other-table", fault: Fault.throttle() },
          { operation: "GetItem", fault: Fault.throttle() },
          { service: "s3", fault: Fault.throttle() }
        )
        yield* call(put(sdk, "untouched"))
        expect((yield* lab.pending).length).toBe(3)
        expect((yield* lab.log).map((e) => e.action)).toEqual(["forward"])
      }))

    it.scoped("with maxAttempts 1, repeats of an identical request are numbered as attempts", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        // Only the second attempt fails: what an Effect retry policy resending the same request would meet.
        yield* lab.push({ operation: "PutItem", attempt: 2, fault: Fault.serverError(500), times: Infinity })
        const results = yield* Effect.forEach([1, 2, 3], () => outcome(put(sdk, "same")))
        expect(results.map((r) => r._tag)).toEqual(["Right", "Left", "Right"])
        expect((yield* lab.log).map((e) => [e.attempt, e.action])).toEqual([[1, "forward"], [2, "ServerError"], [
          3,
          "forward"
        ]])
      }))

    it.scoped("the SDK's own retries are numbered from amz-sdk-request", () =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const retrying = new DynamoDBClient({ ...lab.clientConfig.dynamodb, maxAttempts: 3 })
        yield* Effect.addFinalizer(() => Effect.sync(() => retrying.destroy()))
        yield* lab.push({ operation: "PutItem", attempt: 1, fault: Fault.serverError(500) })
        const result = yield* call((abortSignal) =>
          retrying.send(new PutItemCommand({ TableName: "scripts", Item: { pk: { S: "sdk-retry" } } }), { abortSignal })
        )
        expect(result.$metadata.attempts).toBe(2)
        expect((yield* lab.log).map((e) => [e.attempt, e.action])).toEqual([[1, "ServerError"], [2, "forward"]])
      }))

    it.effect("bad rules are refused with the field named", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        const error = yield* Effect.flip(lab.push({ fault: Fault.throttle(), times: 0 }))
        expect(error._tag).toBe("InvalidOptionError")
        expect(error.field).toBe("rules[0].times")
        const chaos = yield* Effect.flip(lab.chaos({ seed: 1, probabilities: { throttle: 0.7, serverError: 0.5 } }))
        expect(chaos.field).toBe("probabilities")
      }))
  })

  describe("chaos", () => {
    const run = (seed: number) =>
      Effect.gen(function*() {
        const lab = yield* freshLab
        const sdk = yield* clients(lab)
        yield* lab.chaos({ seed, probabilities: { throttle: 0.3, serverError: 0.2 }, operation: "PutItem" })
        yield* Effect.forEach(Array.from({ length: 24 }, (_, i) => `chaos-${i}`), (pk) => outcome(put(sdk, pk)))
        return (yield* lab.log).map((e) => e.action)
      })

    it.scoped("the same seed draws the same faults; another seed draws others", () =>
      Effect.gen(function*() {
        const first = yield* run(42)
        const again = yield* run(42)
        const other = yield* run(7)
        expect(again).toEqual(first)
        expect(other).not.toEqual(first)
        expect(new Set(first)).toEqual(new Set(["Throttle", "ServerError", "forward"]))
        const lab = yield* Lab.Lab
        expect((yield* lab.log).every((e) => e.source === (e.action === "forward" ? undefined : "chaos"))).toBe(true)
      }))
  })
})
