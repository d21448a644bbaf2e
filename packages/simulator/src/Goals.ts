/**
 * The goals a retry policy should meet (BENCHMARK-DESIGN.md §8.6), judged on every cell of a sweep's results — the
 * training cells and the held-out ones apart, with no cell left out. A goal the results cannot decide (its scenario or
 * the policy was not run) says so.
 *
 * | scenario | goal, in every cell |
 * | --- | --- |
 * | A | the policy's curve, run until success, Pareto-dominates Brooker's full jitter: no more writes and no more time |
 * | B1 | completion ≤ 1.10 × (W − B)/R, attempts per item ≤ 1.2 and Jain's index ≥ 0.9, all at once |
 * | C1 | attempts during the outage ≤ 1.1 × the requests offered during it, and the first success ≤ 1 s after the service returns |
 * | C2 | at every ρ ≤ 0.9: never metastable, and time to recover ≤ 1.2 × the no-retry drain bound (map cells at ρ = 0.95 and the HotOS '21 example, ρ = 0.93, are reported, not judged) |
 *
 * Each number is the mean over the cell's seeds; a C1 or C2 cell where some seed never recovered is not met.
 *
 * @since 0.1.0
 */
import type * as Sweep from "./Sweep.js"

/**
 * One cell's verdict.
 *
 * @since 0.1.0
 * @category models
 */
export interface CellVerdict {
  readonly cell: string
  readonly met: boolean
  /** The numbers behind it. */
  readonly detail: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  readonly scenario: "A" | "B1" | "C1" | "C2"
  readonly split: Sweep.Split
  readonly goal: string
  readonly cells: ReadonlyArray<CellVerdict>
  /** Every cell met; `undefined` when the results have no cell for it. */
  readonly met: boolean | undefined
}

/**
 * The goals, by scenario.
 *
 * @since 0.1.0
 * @category constants
 */
export const goals = {
  A: "curve Pareto-dominates full jitter",
  B1: "≤ 1.10 × bound, ≤ 1.2 attempts/item, Jain ≥ 0.9",
  C1: "≤ 1.1 × offered load, first success ≤ 1 s after the outage",
  C2: "never metastable at ρ ≤ 0.9, TTR ≤ 1.2 × bound"
} as const

const fixed = (x: number, digits = 2) => x.toFixed(digits)

const verdict = (
  scenario: Verdict["scenario"],
  split: Sweep.Split,
  cells: ReadonlyArray<CellVerdict>
): Verdict => ({
  scenario,
  split,
  goal: goals[scenario],
  cells,
  met: cells.length === 0 ? undefined : cells.every((c) => c.met)
})

const contention = (results: Sweep.Results, policy: string, split: Sweep.Split): Verdict => {
  // Full jitter is the reference: it cannot be judged against itself.
  if (policy === "full") return verdict("A", split, [])
  const points = [...new Set(results.contention.filter((r) => r.split === split).map((r) => r.clients))]
  const cells = points.flatMap((clients): Array<CellVerdict> => {
    const at = (name: string) =>
      results.contention.find((r) => r.split === split && r.clients === clients && r.policy === name)
    const mine = at(`${policy}-until-success`) ?? at(policy)
    const full = at("full")
    if (mine === undefined || full === undefined) return []
    return [{
      cell: `N = ${clients}`,
      met: mine.writes.mean <= full.writes.mean && mine.completionMillis.mean <= full.completionMillis.mean,
      detail: `${fixed(mine.writes.mean, 0)} writes / ${fixed(mine.completionMillis.mean / 1000)} s vs ${
        fixed(full.writes.mean, 0)
      } / ${fixed(full.completionMillis.mean / 1000)} s`
    }]
  })
  return verdict("A", split, cells)
}

/** B1's verdict on one row. */
export const drainCell = (row: Sweep.DrainRow): CellVerdict => {
  const ratio = row.completionSeconds.mean / row.bound
  return {
    cell: row.cell,
    met: ratio <= 1.1 && row.amplification.mean <= 1.2 && row.jain.mean >= 0.9,
    detail: `${fixed(ratio, 3)} × bound, ${fixed(row.amplification.mean)} attempts/item, Jain ${fixed(row.jain.mean)}`
  }
}

const drain = (results: Sweep.Results, policy: string, split: Sweep.Split): Verdict =>
  verdict("B1", split, results.drain.filter((r) => r.split === split && r.policy === policy).map(drainCell))

/** C1's verdict on one row. */
export const outageCell = (row: Sweep.OutageRow): CellVerdict => {
  const first = row.firstSuccessAfterMillis
  const firstOk = first.never === 0 && first.estimate !== undefined && first.estimate.mean <= 1000
  return {
    cell: row.cell,
    met: row.outageLoad.mean <= 1.1 && firstOk,
    detail: `${fixed(row.outageLoad.mean)} × offered, first success ${
      first.estimate === undefined ? "never" : `${fixed(first.estimate.mean, 0)} ms`
    } after${first.never > 0 ? ` (never in ${first.never} seeds)` : ""}`
  }
}

const outage = (results: Sweep.Results, policy: string, split: Sweep.Split): Verdict =>
  verdict("C1", split, results.outage.filter((r) => r.split === split && r.policy === policy).map(outageCell))

const recovered = (ttr: Sweep.Maybe, bound: number, metastable: boolean): CellVerdict["met"] =>
  !metastable && ttr.never === 0 && ttr.estimate !== undefined && ttr.estimate.mean <= 1.2 * bound

const ttrText = (ttr: Sweep.Maybe, bound: number) =>
  ttr.estimate === undefined ?
    "metastable (never recovered)" :
    `TTR ${fixed(ttr.estimate.mean, 1)} s = ${fixed(ttr.estimate.mean / bound)} × bound (${fixed(bound, 1)} s)${
      ttr.never > 0 ? `, never in ${ttr.never} seeds` : ""
    }`

/** Whether a map cell is judged: the goal covers ρ ≤ 0.9. */
export const judged = (cell: Sweep.MapCell): boolean => cell.load <= 0.9

const brownout = (results: Sweep.Results, policy: string, split: Sweep.Split): Verdict => {
  const rows = results.brownout.filter((r) => r.split === split && r.policy === policy && r.load <= 0.9)
  const fromRows = rows.map((r): CellVerdict => ({
    cell: r.cell,
    met: recovered(r.timeToRecoverSeconds, r.bound, false),
    detail: ttrText(r.timeToRecoverSeconds, r.bound)
  }))
  const fromMap = split === "held-out" ?
    results.map.filter((c) => c.policy === policy && judged(c)).map((c): CellVerdict => ({
      cell: `ρ = ${c.load}, T = ${c.triggerSeconds} s`,
      met: recovered(c.timeToRecoverSeconds, c.bound, c.metastable > 0),
      detail: c.metastable > 0 ? "metastable" : ttrText(c.timeToRecoverSeconds, c.bound)
    })) :
    []
  return verdict("C2", split, [...fromRows, ...fromMap])
}

/**
 * Every goal for one policy: A, B1, C1 and C2, on the training cells and on the held-out cells.
 *
 * @example
 * ```ts
 * import { Goals, Sweep } from "@rebound/simulator"
 *
 * const plan = Sweep.plan({ ...Sweep.defaults, scenarios: ["C1"], seeds: 1, scale: "small", policies: ["rebound"] })
 * for (const task of plan.tasks) task.run()
 * const c1 = Goals.evaluate(plan.results(), "rebound").filter((v) => v.scenario === "C1")
 * console.log(c1.map((v) => [v.split, v.met, v.cells.length])) // one verdict per split, one cell each
 * ```
 *
 * @since 0.1.0
 * @category evaluation
 */
export const evaluate = (results: Sweep.Results, policy: string): ReadonlyArray<Verdict> =>
  (["training", "held-out"] as const).flatMap((split) => [
    contention(results, policy, split),
    drain(results, policy, split),
    outage(results, policy, split),
    brownout(results, policy, split)
  ])
