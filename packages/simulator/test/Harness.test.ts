import { describe, expect, it } from "@effect/vitest"
import { EventQueue, Rng, Stats } from "@rebound/simulator"
import { fromState } from "../src/internal/rng.js"

describe("EventQueue", () => {
  it("runs events in (time, seq) order, whatever the order they were scheduled in", () => {
    const queue = EventQueue.make()
    const ran: Array<string> = []
    const times = [50, 10, 30, 10, 50, 0, 30, 20]
    times.forEach((t, i) => queue.schedule(t, () => ran.push(`${t}:${i}`)))
    expect(queue.run()).toBe(times.length)
    expect(ran).toEqual(["0:5", "10:1", "10:3", "20:7", "30:2", "30:6", "50:0", "50:4"])
    expect(queue.now).toBe(50)
  })

  it("keeps the heap order over many random pushes and pops interleaved with scheduling from handlers", () => {
    const queue = EventQueue.make()
    const rng = Rng.stream(7, "heap")
    const seen: Array<number> = []
    for (let i = 0; i < 2000; i++) {
      queue.schedule(Math.floor(rng.next() * 1e6), () => {
        seen.push(queue.now)
        if (rng.next() < 0.3) queue.after(Math.floor(rng.next() * 1000), () => seen.push(queue.now))
      })
    }
    queue.run()
    expect(seen.length).toBeGreaterThan(2000)
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!)
  })

  it("stops at `until`, leaving later events queued", () => {
    const queue = EventQueue.make()
    const ran: Array<number> = []
    for (const t of [5, 15, 25]) queue.schedule(t, () => ran.push(t))
    expect(queue.run(15)).toBe(2)
    expect(queue.now).toBe(15)
    expect(queue.size).toBe(1)
  })

  it("refuses fractional or past instants", () => {
    const queue = EventQueue.make()
    expect(() => queue.schedule(1.5, () => {})).toThrow(RangeError)
    queue.schedule(10, () => {})
    queue.run()
    expect(() => queue.schedule(5, () => {})).toThrow(RangeError)
  })

  it("converts milliseconds to the nearest microsecond", () => {
    expect(EventQueue.micros(1.2344)).toBe(1234)
    expect(EventQueue.micros(1.2346)).toBe(1235)
  })
})

describe("Rng", () => {
  const take = (s: Rng.Stream, n: number) => Array.from({ length: n }, () => s.next())

  it("is reproducible per (seed, path) and independent across paths and seeds", () => {
    const a = take(Rng.stream(1, "network"), 5)
    expect(take(Rng.stream(1, "network"), 5)).toEqual(a)
    expect(take(Rng.stream(1, "arrivals"), 5)).not.toEqual(a)
    expect(take(Rng.stream(2, "network"), 5)).not.toEqual(a)
    expect(take(Rng.stream(1, "jitter", 1), 5)).not.toEqual(take(Rng.stream(1, "jitter", 2), 5))
  })

  it("draws one stream without moving another (common random numbers)", () => {
    const network = Rng.stream(3, "network")
    const jitter = Rng.stream(3, "jitter", 0)
    const first = network.next()
    take(jitter, 1000)
    const alone = Rng.stream(3, "network")
    expect(alone.next()).toBe(first)
    expect(alone.next()).toBe(network.next())
  })

  it("is xoshiro128**: the reference outputs from the state (1, 2, 3, 4)", () => {
    // Worked by hand from Blackman and Vigna's reference C code: rotl(b·5, 7)·9, then the state update.
    const s = fromState([1, 2, 3, 4])
    expect([s.nextUint32(), s.nextUint32(), s.nextUint32()]).toEqual([11520, 0, 5927040])
  })

  it("has uniform, normal and exponential draws with the right moments", () => {
    const s = Rng.stream(11, "moments")
    const n = 200_000
    const u = take(s, n)
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(Stats.mean(u)).toBeCloseTo(0.5, 2)
    const normals = Array.from({ length: n }, () => s.normal(10, 2))
    const m = Stats.mean(normals)
    expect(m).toBeCloseTo(10, 1)
    expect(Math.sqrt(Stats.mean(normals.map((x) => (x - m) ** 2)))).toBeCloseTo(2, 1)
    expect(Stats.mean(Array.from({ length: n }, () => s.exponential(4)))).toBeCloseTo(0.25, 2)
  })
})

describe("Stats", () => {
  it("Jain's index is 1 for equal shares, 1/n for one taker, and (Σx)²/(nΣx²) in between", () => {
    expect(Stats.jain([3, 3, 3])).toBe(1)
    expect(Stats.jain([5, 0, 0, 0, 0])).toBeCloseTo(0.2, 12)
    expect(Stats.jain([1, 2, 3, 4])).toBeCloseTo(100 / (4 * 30), 12)
  })

  it("estimates a mean with a Student-t 95 % interval", () => {
    const e = Stats.estimate([10, 12, 11, 13])
    expect(e.mean).toBe(11.5)
    // sd = 1.2910, t(3) = 3.182 → 3.182 · 1.2910 / 2
    expect(e.ci95).toBeCloseTo(2.054, 3)
    expect(Stats.estimate([4]).ci95).toBe(0)
  })

  it("takes nearest-rank percentiles and bins instants", () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(Stats.percentile(xs, 0.5)).toBe(50)
    expect(Stats.percentile(xs, 0.99)).toBe(99)
    expect(Stats.percentile([], 0.5)).toBeNaN()
    expect(Stats.histogram([0, 999_999, 1_000_000, 2_500_000, 9_000_000], 1_000_000, 3)).toEqual([2, 1, 1])
  })
})
