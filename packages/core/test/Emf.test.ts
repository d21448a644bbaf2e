import { describe, expect, it } from "@effect/vitest"
import { Emf, RetryPolicy } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Effect, Ref } from "effect"
import { invalidField } from "./helpers.js"

const units = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None"
])

/**
 * The required fields of the CloudWatch Embedded Metric Format specification: a root `_aws` object with a numeric
 * millisecond `Timestamp` and a `CloudWatchMetrics` array of directives, each with a `Namespace` (1–255 characters),
 * `Dimensions` (arrays of at most 30 keys, each a top-level string member) and `Metrics` (at most 100 definitions, each
 * `Name` a top-level member holding a number or an array of at most 100 numbers, `Unit` from the allowed list).
 */
const emfProblems = (line: string): ReadonlyArray<string> => {
  const problems: Array<string> = []
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(line)
  } catch {
    return ["not JSON"]
  }
  const aws = doc._aws as Record<string, unknown> | undefined
  if (typeof aws !== "object" || aws === null) return ["no _aws object"]
  if (typeof aws.Timestamp !== "number" || !Number.isInteger(aws.Timestamp)) problems.push("Timestamp")
  const directives = aws.CloudWatchMetrics
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, "CloudWatchMetrics"]
  for (const d of directives as Array<Record<string, unknown>>) {
    if (typeof d.Namespace !== "string" || d.Namespace.length < 1 || d.Namespace.length > 255) {
      problems.push("Namespace")
    }
    if (!Array.isArray(d.Dimensions)) problems.push("Dimensions")
    for (const set of (d.Dimensions ?? []) as Array<Array<string>>) {
      if (!Array.isArray(set) || set.length > 30) problems.push("DimensionSet")
      for (const key of set) if (typeof doc[key] !== "string") problems.push(`dimension ${key}`)
    }
    if (!Array.isArray(d.Metrics) || d.Metrics.length > 100) problems.push("Metrics")
    for (const m of (d.Metrics ?? []) as Array<Record<string, unknown>>) {
      const name = m.Name
      if (typeof name !== "string" || name.length === 0 || name.length > 255) problems.push("metric name")
      if (m.Unit !== undefined && !units.has(m.Unit as string)) problems.push(`unit ${String(m.Unit)}`)
      const value = doc[name as string]
      const ok = typeof value === "number" ||
        (Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === "number"))
      if (!ok) problems.push(`metric value ${String(name)}`)
    }
  }
  return problems
}

describe("Emf", () => {
  it.effect("writes one valid EMF line per finished call, with the exact values", () =>
    Effect.gen(function*() {
      const lines = yield* Ref.make<ReadonlyArray<string>>([])
      const layer = Emf.layer({
        namespace: "orders",
        dimensions: { Environment: "test" },
        write: (line) => Ref.update(lines, (xs) => [...xs, line])
      })
      const policy = RetryPolicy.make({ name: "emf", maxAttempts: 3, base: 100, throttling: { base: 1000 } })
      const start = yield* Effect.clockWith((c) => c.currentTimeMillis)
      yield* Testing.timeline({
        policy,
        outcomes: ["throttle", "throttle", "success"],
        draws: [0.5],
        service: "DynamoDB",
        operation: "GetItem"
      }).pipe(
        Effect.provide(layer)
      )
      yield* Testing.timeline({
        policy,
        outcomes: ["transient"],
        draws: [0.5],
        service: "DynamoDB",
        operation: "GetItem"
      }).pipe(
        Effect.provide(layer)
      )
      const written = yield* Ref.get(lines)
      expect(written).toHaveLength(2)
      for (const line of written) expect(emfProblems(line)).toEqual([])
      const [ok, failed] = written.map((l) => JSON.parse(l))
      expect(ok).toEqual({
        _aws: {
          Timestamp: start + 1500,
          CloudWatchMetrics: [{
            Namespace: "orders",
            Dimensions: [["Service", "Operation", "Environment"]],
            Metrics: [
              { Name: "Attempts", Unit: "Count" },
              { Name: "Retries", Unit: "Count" },
              { Name: "Throttles", Unit: "Count" },
              { Name: "RetryDelay", Unit: "Milliseconds" },
              { Name: "CallDuration", Unit: "Milliseconds" },
              { Name: "Failed", Unit: "Count" },
              { Name: "RetriesExhausted", Unit: "Count" }
            ]
          }]
        },
        Service: "DynamoDB",
        Operation: "GetItem",
        Environment: "test",
        Attempts: 3,
        Retries: 2,
        Throttles: 2,
        RetryDelay: 1500,
        CallDuration: 1500,
        Failed: 0,
        RetriesExhausted: 0,
        Policy: "emf"
      })
      expect(failed).toMatchObject({
        Attempts: 3,
        Throttles: 0,
        Failed: 1,
        RetriesExhausted: 1,
        StopReason: "maxAttempts"
      })
    }))

  it("the validator itself rejects lines that break the specification", () => {
    expect(emfProblems("{}")).toEqual(["no _aws object"])
    expect(
      emfProblems(
        JSON.stringify({
          _aws: {
            Timestamp: 1,
            CloudWatchMetrics: [{ Namespace: "n", Dimensions: [["A"]], Metrics: [{ Name: "M", Unit: "Apples" }] }]
          }
        })
      )
    )
      .toEqual(["dimension A", "unit Apples", "metric value M"])
  })

  it("rejects a bad namespace naming the field", () => {
    expect(invalidField(() => Emf.layer({ namespace: "" }))).toBe("namespace")
    expect(invalidField(() => Emf.layer({ namespace: "x".repeat(256) }))).toBe("namespace")
  })
})
