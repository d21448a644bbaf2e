/**
 * What a run of `pnpm bench` saves, and the ranges over several runs (`pnpm bench:report`): for every measure, the
 * lowest and highest median seen across the saved runs, with the load the machine had during each.
 */
import * as fs from "node:fs"
import * as path from "node:path"

/** Where runs are saved, from the repository root. */
export const runsDirectory = path.join("docs", "benchmarks", "overhead-runs")

export interface Measure {
  readonly group: string
  readonly name: string
  readonly baseline?: string | undefined
  readonly wallRatio?: number | undefined
  readonly cpuRatio?: number | undefined
  readonly wallMicros?: number | undefined
  readonly cpuMicros?: number | undefined
  readonly millis?: number | undefined
  readonly perSecond?: number | undefined
  readonly target?: string | undefined
}

export interface Run {
  readonly at: string
  readonly machine: string
  readonly loadBefore: string
  readonly loadAfter: string
  readonly quick: boolean
  readonly measures: ReadonlyArray<Measure>
}

/** The lowest and highest of some numbers, as `a–b` (or `a` when they agree at this precision). */
export const range = (values: ReadonlyArray<number>, digits: number): string => {
  const low = Math.min(...values).toFixed(digits)
  const high = Math.max(...values).toFixed(digits)
  return low === high ? low : `${low}–${high}`
}

const fields = [
  ["wall ÷ baseline", (m: Measure) => m.wallRatio, 2],
  ["CPU ÷ baseline", (m: Measure) => m.cpuRatio, 2],
  ["wall µs/call", (m: Measure) => m.wallMicros, 1],
  ["CPU µs/call", (m: Measure) => m.cpuMicros, 1],
  ["ms", (m: Measure) => m.millis, 1],
  ["events/s", (m: Measure) => m.perSecond, 0]
] as const

/** A markdown table per group: each measure's range over the runs. */
export const summarize = (runs: ReadonlyArray<Run>): string => {
  const lines: Array<string> = []
  lines.push(`${runs.length} runs: ${runs.map((r) => `${r.at} (load ${r.loadBefore} → ${r.loadAfter})`).join("; ")}`)
  const groups = [...new Set(runs.flatMap((r) => r.measures.map((m) => m.group)))]
  for (const group of groups) {
    const names = [...new Set(runs.flatMap((r) => r.measures.filter((m) => m.group === group).map((m) => m.name)))]
    const sample = runs.flatMap((r) => r.measures).find((m) => m.group === group)!
    const used = fields.filter(([, get]) => get(sample) !== undefined)
    lines.push("", `### ${group}${sample.baseline !== undefined ? ` (÷ ${sample.baseline})` : ""}`, "")
    lines.push(`| contender | ${used.map(([label]) => label).join(" | ")} | target |`)
    lines.push(`| --- | ${used.map(() => "---").join(" | ")} | --- |`)
    for (const name of names) {
      const seen = runs.flatMap((r) => r.measures.filter((m) => m.group === group && m.name === name))
      const cells = used.map(([, get, digits]) => range(seen.map((m) => get(m)!).filter(Number.isFinite), digits))
      lines.push(`| ${name} | ${cells.join(" | ")} | ${seen[0]?.target ?? ""} |`)
    }
  }
  return lines.join("\n")
}

/** The saved runs, oldest first. */
export const readRuns = (root: string): Array<Run> => {
  const directory = path.join(root, runsDirectory)
  if (!fs.existsSync(directory)) return []
  return fs.readdirSync(directory).filter((f) => f.endsWith(".json")).sort().map((f) =>
    JSON.parse(fs.readFileSync(path.join(directory, f), "utf8")) as Run
  ).filter((r) => !r.quick)
}
