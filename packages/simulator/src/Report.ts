/**
 * The Markdown report of a sweep: the goals table, then every scenario's results table, with links to the charts.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/report.js"
import type * as Sweep from "./Sweep.js"

/**
 * How the sweep was run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunInfo {
  readonly command: string
  readonly machine: string
  readonly events: number
  readonly wallSeconds: number
}

/**
 * The report as Markdown.
 *
 * @example
 * ```ts
 * import { Report, Sweep } from "@rebound/simulator"
 *
 * const plan = Sweep.plan({ ...Sweep.defaults, scenarios: ["B1"], seeds: 1, scale: "small", policies: ["rebound"] })
 * const events = plan.tasks.reduce((n, task) => n + task.run(), 0)
 * const text = Report.markdown(plan.results(), { command: "example", machine: "any", events, wallSeconds: 1 })
 * console.log(text.includes("## B1")) // true
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const markdown: (results: Sweep.Results, run: RunInfo) => string = internal.markdown
