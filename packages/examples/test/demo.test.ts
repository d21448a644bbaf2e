import { describe, expect, it } from "@effect/vitest"
import { faultSchedule } from "../src/demo.js"

// The demo itself runs end to end, as `pnpm demo`, in commands.test.ts.
describe("the demo's fault schedule", () => {
  it("is fixed by the seed: the same seed injects the same faults, another seed others", () => {
    expect(faultSchedule(2026)).toEqual(faultSchedule(2026))
    const labels = (seed: number) => Object.values(faultSchedule(seed)).flat().map((f) => f.label)
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify(labels(seed))))
    expect(distinct.size).toBeGreaterThan(10)
  })

  it("hits first attempts only, so every injected fault costs exactly one retry", () => {
    for (let seed = 0; seed < 200; seed++) {
      for (const fault of Object.values(faultSchedule(seed)).flat()) {
        expect(fault.rule).toMatchObject({ attempt: 1 })
        expect(fault.rule.times ?? 1).toBe(1)
      }
    }
  })

  it("stays within what each scenario can absorb, for every seed", () => {
    for (let seed = 0; seed < 200; seed++) {
      const { dynamodb, lambda, s3 } = faultSchedule(seed)
      // S3: the four faults, no file taking more than two, so transient failures in a row stay below the breaker's 5.
      expect(s3).toHaveLength(4)
      const perFile = new Map<string, number>()
      for (const f of s3) perFile.set(f.rule.resource!, (perFile.get(f.rule.resource!) ?? 0) + 1)
      expect(Math.max(...perFile.values())).toBeLessThanOrEqual(2)
      // DynamoDB: 3 to 6 faults, at most two on the query's six pages, the rest on the six or more batch reads.
      expect(dynamodb.length).toBeGreaterThanOrEqual(3)
      expect(dynamodb.length).toBeLessThanOrEqual(6)
      expect(dynamodb.filter((f) => f.rule.operation === "Query").length).toBeLessThanOrEqual(2)
      // Lambda: throttles only (a 429 proves the function did not run), 2 to 4 of them.
      expect(lambda.every((f) => f.rule.fault._tag === "Throttle")).toBe(true)
      expect(lambda.length).toBeGreaterThanOrEqual(2)
      expect(lambda.length).toBeLessThanOrEqual(4)
    }
  })
})
