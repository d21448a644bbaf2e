/**
 * The benchmark sweep: every scenario × its policy matrix × seeds, as a list of tasks (so a caller can show progress)
 * whose results are aggregated into means with 95 % confidence intervals.
 *
 * **Training and held-out.** Every goal cell belongs to one of two declared sets. rebound's default was tuned on the
 * training set only ({@link trainingCells}, seeds from `firstSeed`); the held-out set ({@link heldOutCells}, other
 * parameters and seeds from `heldOutFirstSeed`) was never used to choose anything, and is where the goals are judged.
 *
 * | scenario | training | held-out |
 * | --- | --- | --- |
 * | A | N = 50, 100, 190 | N = 10, 30, 70, 130, 160 (other trials) |
 * | B1 | R = 100/s, N = 50, W = 2,000 (the design point); R = 25/s; N = 100; 2 processes; 4 in flight; one client for all workers | R = 50 and 200/s; W = 4,000; N = 10 and 200; R = 10/s (the lab's scale); reads and writes on one table; 5 processes |
 * | C1 | T = 10 s | T = 60 and 300 s; 100 clients at 1/s each |
 * | C2 | ρ = 0.8, T = 10 s at C = 1,000/s | the whole map ρ × T at C = 250/s, short triggers included; the HotOS '21 example |
 *
 * @since 0.1.0
 */
import type * as Brownout from "./Brownout.js"
import * as internal from "./internal/sweep.js"
import type * as Outage from "./Outage.js"
import type * as Stats from "./Stats.js"
import type * as Throttled from "./Throttled.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ScenarioId = "A" | "B1" | "B2" | "C1" | "C2"

/**
 * Which declared set a result belongs to.
 *
 * @since 0.1.0
 * @category models
 */
export type Split = "training" | "held-out"

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
  /** The first seed (and trial) of the training set. */
  readonly firstSeed: number
  /** The first seed of the held-out set; its A trials start at `firstSeed + trials`. */
  readonly heldOutFirstSeed: number
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
 * One goal cell of B1: a drain's parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface DrainCell {
  readonly split: Split
  readonly name: string
  readonly params: Throttled.DrainParams
}

/**
 * One goal cell of C1: an outage's parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface OutageCell {
  readonly split: Split
  readonly name: string
  readonly params: Outage.Params
}

/**
 * One cell of C2 outside the map: a brownout's parameters.
 *
 * @since 0.1.0
 * @category models
 */
export interface BrownoutCell {
  readonly split: Split
  readonly name: string
  readonly params: Brownout.Params
}

/**
 * The cells of each scenario at one scale: A's client counts, B1's drains, C1's outages, C2's brownouts and map.
 *
 * @since 0.1.0
 * @category models
 */
export interface Cells {
  readonly contention: ReadonlyArray<number>
  readonly drain: ReadonlyArray<DrainCell>
  readonly outage: ReadonlyArray<OutageCell>
  readonly brownout: ReadonlyArray<BrownoutCell>
  /** The metastability map (held-out): loads, trigger lengths, its capacity and seeds per cell. */
  readonly map: {
    readonly loads: ReadonlyArray<number>
    readonly triggers: ReadonlyArray<number>
    readonly capacity: number
    readonly seeds: number
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ContentionRow {
  readonly split: Split
  readonly clients: number
  readonly policy: string
  readonly label: string
  readonly writes: Stats.Estimate
  readonly completionMillis: Stats.Estimate
  readonly completed: Stats.Estimate
  /** Brooker's re-run at this point, if any (training trials only). */
  readonly reference: { readonly writes: number; readonly completionMillis: number } | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DrainRow {
  readonly split: Split
  /** The cell's name (`DrainCell.name`). */
  readonly cell: string
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
  readonly attempts: ReadonlyArray<number>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface OutageRow {
  readonly split: Split
  readonly cell: string
  /** When the outage began (t₀) and how long it lasted (T), seconds. */
  readonly startSeconds: number
  readonly outageSeconds: number
  readonly clients: number
  readonly policy: string
  readonly label: string
  readonly outageLoad: Stats.Estimate
  readonly peakOutageLoad: Stats.Estimate
  readonly engageSeconds: Maybe
  readonly recoveryLagSeconds: Maybe
  /** Milliseconds from the service's return to the first success. */
  readonly firstSuccessAfterMillis: Maybe
  /** Requests started after the service returned that failed all the same. */
  readonly failedAfterReturn: Stats.Estimate
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
  readonly split: Split
  readonly cell: string
  /** ρ. */
  readonly load: number
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
 * One cell of the metastability map (held-out).
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
  readonly open: ReadonlyArray<OpenRow>
  readonly outage: ReadonlyArray<OutageRow>
  /** C2 outside the map: the design point (training) and the HotOS '21 example (held-out). */
  readonly brownout: ReadonlyArray<BrownoutRow>
  readonly map: ReadonlyArray<MapCell>
  /** The variants of the default (`Candidates.tuning`) on the training cells of B1 and C1. */
  readonly tuningDrain: ReadonlyArray<DrainRow>
  readonly tuningOutage: ReadonlyArray<OutageRow>
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
 * The default sweep: every scenario, 100 trials per point of A, 5 seeds per point of B and C, the design's parameters;
 * training from seed 1, held-out from seed 101.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: Options = internal.defaults

/**
 * The cells of both sets at a scale.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cells: (scale: Options["scale"]) => Cells = internal.cells

/**
 * The training cells of the full scale: what rebound's default was tuned on.
 *
 * @since 0.1.0
 * @category constructors
 */
export const trainingCells: Cells = internal.only(internal.cells("full"), "training")

/**
 * The held-out cells of the full scale: never used to choose anything.
 *
 * @since 0.1.0
 * @category constructors
 */
export const heldOutCells: Cells = internal.only(internal.cells("full"), "held-out")

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
