/**
 * The benchmark sweep: every scenario × its policy matrix × seeds, as a list of tasks (so a caller can show progress)
 * whose results are aggregated into means with 95 % confidence intervals.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/sweep.js"
import type * as Stats from "./Stats.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ScenarioId = "A" | "B1" | "B2" | "C1" | "C2"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly scenarios: ReadonlyArray<ScenarioId>
  /** Trials per point of scenario A (Brooker used 100). */
  readonly trials: number
  /** Seeds per point of scenarios B and C. */
  readonly seeds: number
  readonly firstSeed: number
  /** Only policies with these names (or names starting with `name-`); `undefined` for all. */
  readonly policies: ReadonlyArray<string> | undefined
  /** `"full"`: the design's parameters; `"small"`: a tiny configuration for tests. */
  readonly scale: "full" | "small"
}

/**
 * A value that may be missing in some seeds ("never": no recovery within the run).
 *
 * @since 0.1.0
 * @category models
 */
export interface Maybe {
  /** Over the seeds where it happened; `undefined` if in none. */
  readonly estimate: Stats.Estimate | undefined
  /** Seeds where it never happened. */
  readonly never: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ContentionRow {
  readonly clients: number
  readonly policy: string
  readonly label: string
  readonly writes: Stats.Estimate
  readonly completionMillis: Stats.Estimate
  readonly completed: Stats.Estimate
  /** Brooker's re-run at this point, if any. */
  readonly reference: { readonly writes: number; readonly completionMillis: number } | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DrainRow {
  readonly policy: string
  readonly label: string
  /** SDK client instances the workers share. */
  readonly instances: number
  readonly bound: number
  readonly completionSeconds: Stats.Estimate
  readonly amplification: Stats.Estimate
  readonly throttled: Stats.Estimate
  readonly giveUps: Stats.Estimate
  readonly p50Millis: Stats.Estimate
  readonly p99Millis: Stats.Estimate
  readonly jain: Stats.Estimate
  readonly localWaitSeconds: Stats.Estimate
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OpenRow {
  readonly loadFactor: number
  readonly policy: string
  readonly label: string
  readonly goodputPerSecond: Stats.Estimate
  readonly amplification: Stats.Estimate
  readonly throttled: Stats.Estimate
  readonly errors: Stats.Estimate
  readonly p99Millis: Stats.Estimate
  readonly recoveryLagSeconds: Maybe
  /** Mean per-second series over seeds. */
  readonly goodput: ReadonlyArray<number>
  readonly offered: ReadonlyArray<number>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OutageRow {
  readonly outageSeconds: number
  readonly policy: string
  readonly label: string
  readonly outageLoad: Stats.Estimate
  readonly peakOutageLoad: Stats.Estimate
  readonly engageSeconds: Maybe
  readonly recoveryLagSeconds: Maybe
  readonly errors: Stats.Estimate
  readonly p99Millis: Stats.Estimate
  readonly goodput: ReadonlyArray<number>
  readonly attempts: ReadonlyArray<number>
  readonly offered: ReadonlyArray<number>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BrownoutRow {
  readonly policy: string
  readonly label: string
  /** The no-retry drain bound on the time to recover. */
  readonly bound: number
  readonly timeToRecoverSeconds: Maybe
  readonly peakLoad: Stats.Estimate
  readonly triggerLoad: Stats.Estimate
  readonly finalLoad: Stats.Estimate
  readonly wastedFraction: Stats.Estimate
  readonly errors: Stats.Estimate
  readonly goodput: ReadonlyArray<number>
  readonly attempts: ReadonlyArray<number>
  readonly offered: ReadonlyArray<number>
}

/**
 * One cell of the metastability map.
 *
 * @since 0.1.0
 * @category models
 */
export interface MapCell {
  readonly policy: string
  readonly label: string
  readonly load: number
  readonly triggerSeconds: number
  readonly bound: number
  /** Share of seeds that never recovered within the horizon. */
  readonly metastable: number
  readonly timeToRecoverSeconds: Maybe
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Results {
  readonly options: Options
  readonly contention: ReadonlyArray<ContentionRow>
  readonly drain: ReadonlyArray<DrainRow>
  /** B1 with a burst of 300·R, and with 4 items in flight per client (the design's variants). */
  readonly drainVariants: ReadonlyArray<DrainRow>
  /** B1's search among combinations of core pieces (`Candidates.drainExploration`). */
  readonly drainExploration: ReadonlyArray<DrainRow>
  readonly drainBound: number
  readonly open: ReadonlyArray<OpenRow>
  readonly outage: ReadonlyArray<OutageRow>
  readonly brownout: ReadonlyArray<BrownoutRow>
  readonly brownoutBound: number
  /** The HotOS '21 example. */
  readonly hotOs: ReadonlyArray<BrownoutRow>
  readonly map: ReadonlyArray<MapCell>
}

/**
 * One unit of work; `run` returns the events it simulated.
 *
 * @since 0.1.0
 * @category models
 */
export interface Task {
  readonly scenario: ScenarioId
  readonly label: string
  readonly run: () => number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly tasks: ReadonlyArray<Task>
  /** The results of the tasks run so far. */
  readonly results: () => Results
}

/**
 * The default sweep: every scenario, 100 trials per point of A, 5 seeds per point of B and C, the design's parameters.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: Options = internal.defaults

/**
 * The tasks of a sweep.
 *
 * @example
 * ```ts
 * import { Sweep } from "@rebound/simulator"
 *
 * const plan = Sweep.plan({ ...Sweep.defaults, scenarios: ["C1"], seeds: 1, scale: "small", policies: ["rebound"] })
 * let events = 0
 * for (const task of plan.tasks) events += task.run()
 * console.log(plan.results().outage[0]?.outageLoad.mean, events)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const plan: (options: Options) => Plan = internal.plan
