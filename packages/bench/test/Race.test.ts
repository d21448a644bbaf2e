import { describe, expect, it } from "@effect/vitest"
import { pairedRatios, quantile, race, rotation, spread } from "../src/Race.js"
import { range, type Run, summarize } from "../src/Report.js"

describe("the race's statistics", () => {
  it("quantiles interpolate between order statistics; the spread is the median and the quartiles", () => {
    expect(quantile([3, 1, 2], 0.5)).toBe(2)
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(spread([1, 2, 3, 4, 5])).toEqual({ median: 3, q1: 2, q3: 4 })
    expect(quantile([], 0.5)).toBeNaN()
  })

  it("each round starts with the next contender, so none always runs first", () => {
    const order = [0, 1, 2, 3].map((round) => rotation(["a", "b", "c"], round).join(""))
    expect(order).toEqual(["abc", "bca", "cab", "abc"])
  })

  it("ratios are paired round by round: a slow round slows both sides", () => {
    expect(pairedRatios([2, 4, 6], [1, 4, 3])).toEqual([2, 1, 2])
  })

  it("races every contender in every round, in rotated order, against the baseline", async () => {
    const calls: Array<string> = []
    const result = await race([
      { name: "base", call: () => void calls.push("base") },
      { name: "other", call: () => Promise.resolve().then(() => void calls.push("other")) }
    ], { baseline: "base", rounds: 2, calls: 1, warmup: 0 })
    expect(calls).toEqual(["base", "other", "other", "base"])
    expect(result.standings.map((s) => s.name)).toEqual(["base", "other"])
    expect(result.standings[0]!.wallRatio).toEqual({ median: 1, q1: 1, q3: 1 })
    await expect(race([{ name: "a", call: () => undefined }], { baseline: "b" })).rejects.toThrow(/baseline b/)
  })
})

describe("the report over saved runs", () => {
  const run = (at: string, ratio: number): Run => ({
    at,
    machine: "m",
    loadBefore: "1",
    loadAfter: "2",
    quick: false,
    measures: [{ group: "g", name: "n", baseline: "b", wallRatio: ratio, cpuRatio: ratio, wallMicros: 1, cpuMicros: 1 }]
  })

  it("gives each measure's lowest and highest median across runs", () => {
    expect(range([1.234, 1.1, 1.19], 2)).toBe("1.10–1.23")
    expect(range([2, 2], 1)).toBe("2.0")
    const table = summarize([run("t1", 1.05), run("t2", 1.12), run("t3", 1.08)])
    expect(table).toContain("3 runs")
    expect(table).toContain("| n | 1.05–1.12 | 1.05–1.12 | 1.0 | 1.0 |")
  })
})
