/**
 * The goals rebound's recommended default should meet, checked against a sweep's results — honestly: a goal the
 * results cannot decide (its scenario was not run) says so.
 *
 * | scenario | goal |
 * | --- | --- |
 * | A | the policy's curve, run until success, Pareto-dominates Brooker's full jitter (no more writes and no more time) at N = 50, 100 and 190 |
 * | B1 | completion ≤ 1.10 × (W − B)/R, amplification ≤ 1.2 and Jain's index ≥ 0.9, all at once |
 * | C1 | ≤ 1.1 × the offered load during a 60 s outage |
 * | C2 | never metastable at ρ ≤ 0.9 for triggers up to 10 τ; time to recover ≤ 1.2 × the no-retry drain bound at ρ = 0.8, T = 10 s and in every map cell (ρ ≤ 0.9) whose bound is at least 5 s (shorter bounds are below the 1 s resolution of the measure); the unbudgeted baseline (full jitter, 3 attempts) metastable |
 *
 * @since 0.1.0
 */
import type * as Sweep from "./Sweep.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  readonly scenario: "A" | "B1" | "C1" | "C2"
  readonly goal: string
  /** `undefined` when the results do not cover it. */
  readonly met: boolean | undefined
  /** The numbers behind the verdict. */
  readonly detail: string
}

const fixed = (x: number, digits = 2) => x.toFixed(digits)

const contention = (results: Sweep.Results, policy: string): Verdict => {
  const goal = "curve Pareto-dominates full jitter at N = 50, 100, 190"
  const rows = [50, 100, 190].map((clients) => {
    const at = (name: string) => results.contention.find((r) => r.clients === clients && r.policy === name)
    return { clients, mine: at(`${policy}-until-success`) ?? at(policy), full: at("full") }
  })
  if (rows.some((r) => r.mine === undefined || r.full === undefined)) {
    return { scenario: "A", goal, met: undefined, detail: "not run" }
  }
  const parts = rows.map(({ clients, full, mine }) => {
    const dominates = mine!.writes.mean <= full!.writes.mean &&
      mine!.completionMillis.mean <= full!.completionMillis.mean
    return {
      dominates,
      text: `N=${clients}: ${fixed(mine!.writes.mean, 0)} writes / ${fixed(mine!.completionMillis.mean / 1000)} s vs ${
        fixed(full!.writes.mean, 0)
      } / ${fixed(full!.completionMillis.mean / 1000)} s`
    }
  })
  return { scenario: "A", goal, met: parts.every((p) => p.dominates), detail: parts.map((p) => p.text).join("; ") }
}

const drain = (results: Sweep.Results, policy: string): Verdict => {
  const goal = "completion ≤ 1.10 × bound, amplification ≤ 1.2, Jain ≥ 0.9"
  const row = results.drain.find((r) => r.policy === policy)
  if (row === undefined) return { scenario: "B1", goal, met: undefined, detail: "not run" }
  const ratio = row.completionSeconds.mean / row.bound
  return {
    scenario: "B1",
    goal,
    met: ratio <= 1.1 && row.amplification.mean <= 1.2 && row.jain.mean >= 0.9,
    detail: `${fixed(ratio)} × bound (${fixed(row.completionSeconds.mean)} s), amplification ${
      fixed(row.amplification.mean)
    }, Jain ${fixed(row.jain.mean)}`
  }
}

const outage = (results: Sweep.Results, policy: string): Verdict => {
  const goal = "≤ 1.1 × offered load during a 60 s outage"
  const row = results.outage.find((r) => r.policy === policy && r.outageSeconds === 60)
  if (row === undefined) return { scenario: "C1", goal, met: undefined, detail: "not run" }
  return {
    scenario: "C1",
    goal,
    met: row.outageLoad.mean <= 1.1,
    detail: `${fixed(row.outageLoad.mean)}× (peak second ${fixed(row.peakOutageLoad.mean)}×)`
  }
}

/** Map cells whose bound is long enough for a TTR measured in whole seconds to be judged against 1.2 × bound. */
const judgeable = (c: Sweep.MapCell) => c.bound >= 5

const brownout = (results: Sweep.Results, policy: string): Verdict => {
  const goal = "never metastable at ρ ≤ 0.9, T ≤ 10 τ; TTR ≤ 1.2 × bound; unbudgeted baseline metastable"
  const cells = results.map.filter((c) => c.policy === policy && c.load <= 0.9)
  const row = results.brownout.find((r) => r.policy === policy)
  const baseline = results.brownout.find((r) => r.policy === "full")
  if (cells.length === 0 || row === undefined || baseline === undefined) {
    return { scenario: "C2", goal, met: undefined, detail: "not run" }
  }
  const stuck = cells.filter((c) => c.metastable > 0)
  const ttr = row.timeToRecoverSeconds
  const ttrOk = ttr.never === 0 && ttr.estimate !== undefined && ttr.estimate.mean <= 1.2 * row.bound
  const ratios = cells.filter((c) => c.metastable === 0 && judgeable(c)).map((c) => ({
    cell: c,
    ratio: (c.timeToRecoverSeconds.estimate?.mean ?? 0) / c.bound
  }))
  const worst = ratios.reduce<(typeof ratios)[number] | undefined>(
    (w, r) => (w === undefined || r.ratio > w.ratio ? r : w),
    undefined
  )
  const mapOk = worst === undefined || worst.ratio <= 1.2
  const baselineStuck = baseline.timeToRecoverSeconds.never > 0
  return {
    scenario: "C2",
    goal,
    met: stuck.length === 0 && ttrOk && mapOk && baselineStuck,
    detail: [
      stuck.length === 0 ?
        "never metastable at ρ ≤ 0.9" :
        `metastable at ${stuck.map((c) => `ρ=${c.load} T=${c.triggerSeconds}s`).join(", ")}`,
      ttr.estimate === undefined ?
        "never recovered at ρ = 0.8, T = 10 s" :
        `TTR at ρ = 0.8, T = 10 s: ${fixed(ttr.estimate.mean, 1)} s = ${
          fixed(ttr.estimate.mean / row.bound)
        } × bound (${fixed(row.bound, 0)} s)${ttr.never > 0 ? `, never in ${ttr.never} seeds` : ""}`,
      worst === undefined ?
        "no map cell with a bound ≥ 5 s" :
        `worst map cell (bound ≥ 5 s): ${
          fixed(worst.ratio)
        } × bound at ρ=${worst.cell.load} T=${worst.cell.triggerSeconds}s`,
      `baseline (full jitter) ${baselineStuck ? "metastable" : "recovered"}`
    ].join("; ")
  }
}

/**
 * Every goal for one policy.
 *
 * @example
 * ```ts
 * import { Goals, Sweep } from "@rebound/simulator"
 *
 * const plan = Sweep.plan({ ...Sweep.defaults, scenarios: ["C1"], seeds: 1, scale: "small", policies: ["rebound"] })
 * for (const task of plan.tasks) task.run()
 * // The small configuration has no 60 s outage, so the C1 goal cannot be decided from it:
 * console.log(Goals.evaluate(plan.results(), "rebound").find((v) => v.scenario === "C1")?.met) // undefined
 * ```
 *
 * @since 0.1.0
 * @category evaluation
 */
export const evaluate = (results: Sweep.Results, policy: string): ReadonlyArray<Verdict> => [
  contention(results, policy),
  drain(results, policy),
  outage(results, policy),
  brownout(results, policy)
]
