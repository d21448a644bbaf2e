import * as Candidates from "../Candidates.js"
import * as Goals from "../Goals.js"
import type * as Report from "../Report.js"
import type * as Stats from "../Stats.js"
import type * as Sweep from "../Sweep.js"

const num = (x: number, digits: number) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })

const est = (e: Stats.Estimate, digits = 2, scale = 1) =>
  e.n > 1 ? `${num(e.mean * scale, digits)} ± ${num(e.ci95 * scale, digits)}` : num(e.mean * scale, digits)

const maybe = (m: Sweep.Maybe, digits = 1) => {
  const n = (m.estimate?.n ?? 0) + m.never
  if (m.estimate === undefined) return "never"
  return m.never > 0 ? `${est(m.estimate, digits)} (never in ${m.never}/${n})` : est(m.estimate, digits)
}

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")

const pct = (x: number) => `${x >= 0 ? "+" : ""}${num(x * 100, 1)} %`

const mark = (met: boolean) => (met ? "✓" : "**✗**")

const splitName = (split: Sweep.Split) => (split === "training" ? "training" : "held-out")

const splits: ReadonlyArray<Sweep.Split> = ["training", "held-out"]

/** Every policy that has a goal cell, the default first, in the order they were run. */
const judgedPolicies = (results: Sweep.Results): ReadonlyArray<string> => {
  const seen = new Set<string>(["rebound"])
  for (const r of results.contention) if (!r.policy.endsWith("-until-success")) seen.add(r.policy)
  for (const r of [...results.drain, ...results.outage, ...results.brownout]) seen.add(r.policy)
  for (const c of results.map) seen.add(c.policy)
  return [...seen].filter((p) => p !== "oracle" || results.drain.some((r) => r.policy === p))
}

const summary = (v: Goals.Verdict | undefined) => {
  if (v === undefined || v.met === undefined) return "—"
  const ok = v.cells.filter((c) => c.met).length
  return v.met ? `met (${ok}/${v.cells.length})` : `**not met** (${ok}/${v.cells.length})`
}

const goals = (results: Sweep.Results): string => {
  const policies = judgedPolicies(results)
  const scenarios = ["A", "B1", "C1", "C2"] as const
  const verdicts = new Map(policies.map((p) => [p, Goals.evaluate(results, p)]))
  const rows = policies.map((p) => [
    `\`${p}\``,
    ...scenarios.flatMap((s) =>
      splits.map((split) => summary(verdicts.get(p)!.find((v) => v.scenario === s && v.split === split)))
    )
  ])
  return [
    "## Goals, cell by cell",
    "",
    "Every goal is judged in every cell of its set, with no cell left out; a set is **met** only if all its cells are. `(k/n)`: cells met of cells run; — : the policy has no cell there (A runs the backoff curves and rebound's defaults, against full jitter, its reference; the oracle runs only in B1).",
    "",
    table(
      ["policy", ...scenarios.flatMap((s) => splits.map((split) => `${s} ${splitName(split)}`))],
      rows
    ),
    "",
    table(
      ["scenario", "goal"],
      scenarios.map((s) => [s, Goals.goals[s]])
    )
  ].join("\n")
}

/** One table per scenario and split: policies down, cells across, each entry the cell's numbers and its verdict. */
const cellTables = (results: Sweep.Results): string => {
  const policies = judgedPolicies(results)
  const sections: Array<string> = []
  const compact: Record<"A" | "B1" | "C1", (detail: string) => string> = {
    A: (d) => d.replace(/ vs .*/, ""),
    B1: (d) => d.replace(" × bound, ", " / ").replace(" attempts/item, Jain ", " / "),
    C1: (d) => d.replace(" × offered, first success ", "× / ").replace(" after", "")
  }
  for (const scenario of ["A", "B1", "C1"] as const) {
    for (const split of splits) {
      const verdicts = policies.map((p) => ({
        policy: p,
        verdict: Goals.evaluate(results, p).find((v) => v.scenario === scenario && v.split === split)
      })).filter((x) => x.verdict !== undefined && x.verdict.cells.length > 0)
      if (verdicts.length === 0) continue
      const cells = [...new Set(verdicts.flatMap((x) => x.verdict!.cells.map((c) => c.cell)))]
      const legend = scenario === "A" ?
        "writes / seconds of the curve until success, against full jitter's, the reference" :
        scenario === "B1" ?
        "completion ÷ bound / attempts per item / Jain" :
        "outage load / first success after the service returns"
      sections.push(
        `### ${scenario}, ${splitName(split)} cells (${legend})`,
        "",
        table(
          ["policy", ...cells],
          verdicts.map(({ policy, verdict }) => [
            `\`${policy}\``,
            ...cells.map((cell) => {
              const c = verdict!.cells.find((x) => x.cell === cell)
              return c === undefined ? "" : `${compact[scenario](c.detail)} ${mark(c.met)}`
            })
          ])
        ),
        ""
      )
    }
  }
  return sections.join("\n")
}

const tuning = (results: Sweep.Results): string => {
  if (results.tuningDrain.length === 0 && results.tuningOutage.length === 0) return ""
  const names = ["rebound", ...Candidates.tuning.map((c) => c.name)]
  const drainCells = [...new Set(results.tuningDrain.map((r) => r.cell))]
  const outageCells = [...new Set(results.tuningOutage.map((r) => r.cell))]
  const rows = names.flatMap((name) => {
    const drain = (cell: string) =>
      (name === "rebound" ? results.drain : results.tuningDrain).find((r) =>
        r.split === "training" && r.cell === cell && r.policy === name
      )
    const outage = (cell: string) =>
      (name === "rebound" ? results.outage : results.tuningOutage).find((r) =>
        r.split === "training" && r.cell === cell && r.policy === name
      )
    const verdicts = [
      ...drainCells.map((c) => drain(c)).filter((r) => r !== undefined).map(Goals.drainCell),
      ...outageCells.map((c) => outage(c)).filter((r) => r !== undefined).map(Goals.outageCell)
    ]
    if (verdicts.length === 0) return []
    const label = Candidates.tuning.find((c) => c.name === name)?.label ?? "the chosen default"
    return [[
      `\`${name}\`: ${label}`,
      ...drainCells.map((c) => {
        const r = drain(c)
        if (r === undefined) return ""
        const v = Goals.drainCell(r)
        return `${num(r.completionSeconds.mean / r.bound, 3)} / ${num(r.amplification.mean, 2)} / ${
          num(r.jain.mean, 2)
        } ${mark(v.met)}`
      }),
      ...outageCells.map((c) => {
        const r = outage(c)
        if (r === undefined) return ""
        return `${num(r.outageLoad.mean, 2)}× ${mark(Goals.outageCell(r).met)}`
      }),
      `${verdicts.filter((v) => v.met).length}/${verdicts.length}`
    ]]
  })
  return [
    "## How the default was chosen: its variants on the training set",
    "",
    "Each variant changes one choice of `Presets.rebound` (`Candidates.tuning`); only the training cells were run. B1: completion ÷ bound / attempts per item / Jain; C1: outage load.",
    "",
    table(["variant", ...drainCells.map((c) => `B1 ${c}`), ...outageCells.map((c) => `C1 ${c}`), "cells met"], rows)
  ].join("\n")
}

const contention = (results: Sweep.Results): string => {
  if (results.contention.length === 0) return ""
  const reproduced = results.contention.filter((r) => r.reference !== undefined)
  const at100 = results.contention.filter((r) => r.clients === 100)
  const within = reproduced.every((r) =>
    Math.abs(r.writes.mean / r.reference!.writes - 1) <= 0.05 &&
    Math.abs(r.completionMillis.mean / r.reference!.completionMillis - 1) <= 0.05
  )
  const heldOut = results.contention.filter((r) =>
    r.split === "held-out" && ["full", "rebound-until-success", "rebound-v2-until-success"].includes(r.policy)
  )
  return [
    "## A — Brooker's OCC contention",
    "",
    `Reproduction of the re-run table (${results.options.trials} trials per point; target ±5 %): ${
      reproduced.length === 0 ? "not run" : within ? "**every cell within ±5 %**" : "**some cells outside ±5 %**"
    }.`,
    "",
    table(
      ["N", "strategy", "write calls", "Brooker", "Δ", "completion (ms)", "Brooker", "Δ"],
      reproduced.map((r) => [
        String(r.clients),
        r.policy,
        est(r.writes, 0),
        num(r.reference!.writes, 0),
        pct(r.writes.mean / r.reference!.writes - 1),
        est(r.completionMillis, 0),
        num(r.reference!.completionMillis, 0),
        pct(r.completionMillis.mean / r.reference!.completionMillis - 1)
      ])
    ),
    "",
    "Every policy at N = 100 (`…-until-success`: the policy's curve with its limits and guards lifted; as shipped, the defaults give up after 3 or 4 attempts, so fewer clients complete):",
    "",
    table(
      ["policy", "write calls", "completion (ms)", "clients completed"],
      at100.map((r) => [r.label, est(r.writes, 0), est(r.completionMillis, 0), est(r.completed, 1)])
    ),
    "",
    ...(heldOut.length === 0 ? [] : [
      "Held-out points (other trials):",
      "",
      table(
        ["N", "policy", "write calls", "completion (ms)"],
        heldOut.map((r) => [String(r.clients), r.label, est(r.writes, 0), est(r.completionMillis, 0)])
      ),
      ""
    ]),
    "![A — write calls](contention-calls.svg)",
    "",
    "![A — completion time](contention-time.svg)"
  ].join("\n")
}

const drainTable = (rows: ReadonlyArray<Sweep.DrainRow>) =>
  table(
    [
      "policy",
      "completion (s)",
      "÷ bound",
      "attempts/item",
      "throttled",
      "give-ups",
      "p50 (ms)",
      "p99 (ms)",
      "Jain",
      "limiter wait (s)",
      "goal"
    ],
    rows.map((r) => [
      r.label,
      est(r.completionSeconds),
      r.bound > 0 ? num(r.completionSeconds.mean / r.bound, 3) : "—",
      est(r.amplification),
      est(r.throttled, 0),
      est(r.giveUps, 0),
      est(r.p50Millis, 1),
      est(r.p99Millis, 0),
      est(r.jain, 3),
      est(r.localWaitSeconds, 0),
      r.policy === "oracle" ? "(yardstick)" : Goals.drainCell(r).met ? "met" : "**not met**"
    ])
  )

const drain = (results: Sweep.Results): string => {
  if (results.drain.length === 0) return ""
  const cells = [...new Set(results.drain.map((r) => `${r.split}\u0000${r.cell}`))]
  return [
    "## B1 — batch drain against a token bucket",
    "",
    "Latency is per item from the moment its worker starts it. The bound is (W − B)/R (for reads and writes on one table, the larger of the two).",
    "",
    ...cells.flatMap((key) => {
      const [split, cell] = key.split("\u0000") as [Sweep.Split, string]
      const rows = results.drain.filter((r) => r.split === split && r.cell === cell)
      return [
        `### ${splitName(split)}: ${cell} — bound ${num(rows[0]!.bound, 1)} s`,
        "",
        drainTable(rows),
        ""
      ]
    }),
    "![B1 — trade-off](drain-tradeoff.svg)"
  ].join("\n")
}

const open = (results: Sweep.Results): string => {
  if (results.open.length === 0) return ""
  const loads = [...new Set(results.open.map((r) => r.loadFactor))]
  return [
    "## B2 — open-loop arrivals, then back to 0.5 × R",
    "",
    "Not a goal scenario; training seeds. Recovery lag: seconds after the load drops until every later 5-second window's successes are within 5 % of its arrivals.",
    "",
    ...loads.flatMap((load) => [
      `### λ = ${load} × R`,
      "",
      table(
        ["policy", "goodput (/s)", "attempts/success", "throttled", "errors", "p99 (ms)", "recovery lag (s)"],
        results.open.filter((r) => r.loadFactor === load).map((r) => [
          r.label,
          est(r.goodputPerSecond, 1),
          est(r.amplification),
          est(r.throttled, 0),
          est(r.errors, 0),
          est(r.p99Millis, 0),
          maybe(r.recoveryLagSeconds)
        ])
      ),
      ""
    ]),
    "![B2 — load on the service](open-load.svg)"
  ].join("\n")
}

const outage = (results: Sweep.Results): string => {
  if (results.outage.length === 0) return ""
  const cells = [...new Set(results.outage.map((r) => `${r.split}\u0000${r.cell}`))]
  return [
    "## C1 — fast-fail outage",
    "",
    "Outage load: attempts during the outage ÷ requests offered during it. Engage: seconds until a one-second ratio first falls to ≤ 1.1×. First success: milliseconds from the service's return to the first success. Failed after: requests started after the return that failed all the same.",
    "",
    ...cells.flatMap((key) => {
      const [split, cell] = key.split("\u0000") as [Sweep.Split, string]
      return [
        `### ${splitName(split)}: ${cell}`,
        "",
        table(
          [
            "policy",
            "outage load",
            "peak second",
            "engage (s)",
            "first success (ms)",
            "failed after",
            "errors",
            "p99 (ms)",
            "goal"
          ],
          results.outage.filter((r) => r.split === split && r.cell === cell).map((r) => [
            r.label,
            est(r.outageLoad),
            est(r.peakOutageLoad),
            maybe(r.engageSeconds),
            maybe(r.firstSuccessAfterMillis, 0),
            est(r.failedAfterReturn, 0),
            est(r.errors, 0),
            est(r.p99Millis, 0),
            Goals.outageCell(r).met ? "met" : "**not met**"
          ])
        ),
        ""
      ]
    }),
    "![C1 — outage load](outage-load-bars.svg)",
    "",
    "![C1 — outage load over time](outage-load.svg)",
    "",
    "![C1 — successes as the service returns](outage-recovery.svg)"
  ].join("\n")
}

const brownoutTable = (rows: ReadonlyArray<Sweep.BrownoutRow>, judged: boolean) =>
  table(
    [
      "policy",
      "time to recover (s)",
      "÷ bound",
      "load during trigger",
      "peak load after",
      "final load",
      "wasted work",
      "errors",
      ...(judged ? ["goal"] : [])
    ],
    rows.map((r) => [
      r.label,
      maybe(r.timeToRecoverSeconds),
      r.timeToRecoverSeconds.estimate === undefined ? "—" : num(r.timeToRecoverSeconds.estimate.mean / r.bound, 2),
      est(r.triggerLoad),
      est(r.peakLoad),
      est(r.finalLoad),
      est(r.wastedFraction, 2),
      est(r.errors, 0),
      ...(judged ?
        [
          r.timeToRecoverSeconds.never === 0 && r.timeToRecoverSeconds.estimate !== undefined &&
            r.timeToRecoverSeconds.estimate.mean <= 1.2 * r.bound ?
            "met" :
            "**not met**"
        ] :
        [])
    ])
  )

const brownout = (results: Sweep.Results): string => {
  if (results.brownout.length === 0 && results.map.length === 0) return ""
  const policies = [...new Set(results.map.map((c) => c.policy))]
  const loads = [...new Set(results.map.map((c) => c.load))]
  const triggers = [...new Set(results.map.map((c) => c.triggerSeconds))]
  const cell = (c: Sweep.MapCell | undefined) => {
    if (c === undefined) return ""
    const text = c.metastable > 0 ? "M" : num((c.timeToRecoverSeconds.estimate?.mean ?? 0) / c.bound, 2)
    const met = c.metastable === 0 && (c.timeToRecoverSeconds.estimate?.mean ?? 0) <= 1.2 * c.bound
    return Goals.judged(c) && !met ? `**${text}** ✗` : text
  }
  const rowsOf = (split: Sweep.Split) => results.brownout.filter((r) => r.split === split)
  const cells = [...new Set(results.brownout.map((r) => `${r.split}\u0000${r.cell}`))]
  return [
    "## C2 — brownout with a server queue and client timeouts",
    "",
    "Time to recover (TTR): time after the trigger ends until the first 5-second window whose successes reach 95 % of its arrivals, in steps of 100 ms; **never** = not within the horizon (metastable). The bound is the no-retry drain bound (ρT − τ)/(1 − ρ) + τ. Loads are attempts ÷ arrivals.",
    "",
    ...cells.flatMap((key) => {
      const [split, name] = key.split("\u0000") as [Sweep.Split, string]
      const rows = rowsOf(split).filter((r) => r.cell === name)
      return [
        `### ${splitName(split)}: ${name} — bound ${num(rows[0]!.bound, 1)} s${
          rows[0]!.load > 0.9 ? " (ρ > 0.9: reported, not judged)" : ""
        }`,
        "",
        brownoutTable(rows, rows[0]!.load <= 0.9),
        ""
      ]
    }),
    "![C2 — goodput](brownout-goodput.svg)",
    "",
    "![HotOS example](hotos-goodput.svg)",
    "",
    "### Metastability map (held-out)",
    "",
    "Time to recover ÷ the no-retry drain bound, by load ρ (rows) and trigger length T in seconds (columns, τ = 1 s); **M** = never recovered within the horizon in at least one seed (metastable); **✗** = the goal is not met in that cell (ρ ≤ 0.9 only). Run at C = 250/s (the fluid dynamics depend on ρ and T/τ, not on C), held-out seeds.",
    "",
    ...policies.flatMap((p) => [
      `**${p}**`,
      "",
      table(
        ["ρ \\ T", ...triggers.map(String)],
        loads.map((load) => [
          String(load),
          ...triggers.map((t) =>
            cell(results.map.find((c) => c.policy === p && c.load === load && c.triggerSeconds === t))
          )
        ])
      ),
      ""
    ]),
    "![Metastability map](metastability-map.svg)"
  ].join("\n")
}

/** @internal */
export const markdown = (results: Sweep.Results, run: Report.RunInfo): string => {
  const o = results.options
  return [
    "# rebound simulator — results",
    "",
    `Generated by \`pnpm simulate\` (${run.command}). Machine: ${run.machine}. ${
      num(run.events, 0)
    } simulated events in ${num(run.wallSeconds, 1)} s of wall time (${
      num(run.events / run.wallSeconds, 0)
    } events/s). Training: seeds ${o.firstSeed}…${o.firstSeed + o.seeds - 1} for B and C, trials ${o.firstSeed}…${
      o.firstSeed + o.trials - 1
    } for A; held-out: seeds ${o.heldOutFirstSeed}…${o.heldOutFirstSeed + o.seeds - 1}, trials ${
      o.firstSeed + o.trials
    }…${o.firstSeed + 2 * o.trials - 1}. Means ± 95 % intervals over seeds.`,
    "",
    "What each scenario models, which cells are training and which held-out, and how to read these tables: [README.md](README.md).",
    "",
    goals(results),
    "",
    cellTables(results),
    "",
    tuning(results),
    "",
    contention(results),
    "",
    drain(results),
    "",
    open(results),
    "",
    outage(results),
    "",
    brownout(results),
    ""
  ].filter((s, i, all) => !(s === "" && all[i - 1] === "")).join("\n")
}
