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

const contention = (results: Sweep.Results): string => {
  const reproduced = results.contention.filter((r) => r.reference !== undefined)
  const at100 = results.contention.filter((r) => r.clients === 100)
  if (results.contention.length === 0) return ""
  const within = reproduced.every((r) =>
    Math.abs(r.writes.mean / r.reference!.writes - 1) <= 0.05 &&
    Math.abs(r.completionMillis.mean / r.reference!.completionMillis - 1) <= 0.05
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
    "Every policy at N = 100 (`…-until-success`: the policy's curve with its limits and guards lifted; the presets as shipped give up after 3 attempts, so fewer clients complete):",
    "",
    table(
      ["policy", "write calls", "completion (ms)", "clients completed"],
      at100.map((r) => [r.label, est(r.writes, 0), est(r.completionMillis, 0), est(r.completed, 1)])
    ),
    "",
    "![A — write calls](contention-calls.svg)",
    "",
    "![A — completion time](contention-time.svg)"
  ].join("\n")
}

const drainTable = (rows: ReadonlyArray<Sweep.DrainRow>, name: (r: Sweep.DrainRow) => string) =>
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
      "limiter wait (s)"
    ],
    rows.map((r) => [
      name(r),
      est(r.completionSeconds),
      r.bound > 0 ? num(r.completionSeconds.mean / r.bound, 3) : "—",
      est(r.amplification),
      est(r.throttled, 0),
      est(r.giveUps, 0),
      est(r.p50Millis, 1),
      est(r.p99Millis, 0),
      est(r.jain, 3),
      est(r.localWaitSeconds, 0)
    ])
  )

const inGoal = (r: Sweep.DrainRow) =>
  r.completionSeconds.mean / r.bound <= 1.1 && r.amplification.mean <= 1.2 && r.jain.mean >= 0.9

const drain = (results: Sweep.Results): string =>
  results.drain.length === 0 ? "" : [
    "## B1 — batch drain against a token bucket",
    "",
    `Bound (W − B)/R = ${num(results.drainBound, 1)} s. Latency is per item from the moment its client starts it.`,
    "",
    drainTable(results.drain, (r) => r.label),
    "",
    "![B1 — trade-off](drain-tradeoff.svg)",
    "",
    "### Variants: a burst of 300·R (the bound is then 0 s), and 4 items in flight per client",
    "",
    drainTable(results.drainVariants, (r) => r.label),
    "",
    "### Exploration: can a combination of core pieces meet B1's goal?",
    "",
    `Changes to rebound's first default, \`rebound-v1\` (policy names in \`Candidates.drainExploration\`). In the goal box (≤ 1.10 × bound, ≤ 1.2 attempts/item, Jain ≥ 0.9): ${
      results.drainExploration.filter(inGoal).map((r) => r.policy).join(", ") || "**none**"
    }.`,
    "",
    drainTable(results.drainExploration, (r) => r.label)
  ].join("\n")

const open = (results: Sweep.Results): string => {
  if (results.open.length === 0) return ""
  const loads = [...new Set(results.open.map((r) => r.loadFactor))]
  return [
    "## B2 — open-loop arrivals, then back to 0.5 × R",
    "",
    "Recovery lag: seconds after the load drops until every later 5-second window's successes are within 5 % of its arrivals.",
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
    "![B2 — goodput](open-goodput.svg)"
  ].join("\n")
}

const outage = (results: Sweep.Results): string => {
  if (results.outage.length === 0) return ""
  const lengths = [...new Set(results.outage.map((r) => r.outageSeconds))]
  return [
    "## C1 — fast-fail outage",
    "",
    "Outage load: attempts during the outage ÷ requests offered during it. Engage: seconds until a one-second ratio first falls to ≤ 1.1×.",
    "",
    ...lengths.flatMap((t) => [
      `### T = ${t} s`,
      "",
      table(
        ["policy", "outage load", "peak second", "engage (s)", "recovery lag (s)", "errors", "p99 (ms)"],
        results.outage.filter((r) => r.outageSeconds === t).map((r) => [
          r.label,
          est(r.outageLoad),
          est(r.peakOutageLoad),
          maybe(r.engageSeconds),
          maybe(r.recoveryLagSeconds),
          est(r.errors, 0),
          est(r.p99Millis, 0)
        ])
      ),
      ""
    ]),
    "![C1 — outage load](outage-load.svg)",
    "",
    "![C1 — goodput](outage-goodput.svg)"
  ].join("\n")
}

const brownoutTable = (rows: ReadonlyArray<Sweep.BrownoutRow>) =>
  table(
    [
      "policy",
      "time to recover (s)",
      "÷ bound",
      "load during trigger",
      "peak load after",
      "final load",
      "wasted work",
      "errors"
    ],
    rows.map((r) => [
      r.label,
      maybe(r.timeToRecoverSeconds),
      r.timeToRecoverSeconds.estimate === undefined ? "—" : num(r.timeToRecoverSeconds.estimate.mean / r.bound, 2),
      est(r.triggerLoad),
      est(r.peakLoad),
      est(r.finalLoad),
      est(r.wastedFraction, 2),
      est(r.errors, 0)
    ])
  )

const brownout = (results: Sweep.Results): string => {
  if (results.brownout.length === 0 && results.map.length === 0) return ""
  const policies = [...new Set(results.map.map((c) => c.policy))]
  const loads = [...new Set(results.map.map((c) => c.load))]
  const triggers = [...new Set(results.map.map((c) => c.triggerSeconds))]
  const cell = (c: Sweep.MapCell | undefined) =>
    c === undefined ? "" : c.metastable > 0 ? "**M**" : num((c.timeToRecoverSeconds.estimate?.mean ?? 0) / c.bound, 1)
  return [
    "## C2 — brownout with a server queue and client timeouts",
    "",
    `C = 1,000/s, ρ = 0.8, τ = 1 s, capacity 0 for 10 s; no-retry drain bound ${
      num(results.brownoutBound, 1)
    } s. Loads are attempts ÷ arrivals.`,
    "",
    brownoutTable(results.brownout),
    "",
    "![C2 — goodput](brownout-goodput.svg)",
    "",
    "### The HotOS '21 example (C = 300 QPS, λ = 280 QPS, τ = 1 s, 10 s blip)",
    "",
    "Expected for one retry: stuck at 2 × 280 = 560 QPS offered, goodput ≈ 0.",
    "",
    brownoutTable(results.hotOs),
    "",
    "![HotOS example](hotos-goodput.svg)",
    "",
    "### Metastability map",
    "",
    "Time to recover ÷ the no-retry drain bound, by load ρ (rows) and trigger length T in seconds (columns, τ = 1 s); **M** = never recovered within 160 s in at least one seed (metastable). Run at C = 250/s (the fluid dynamics depend on ρ and T/τ, not on C); the TTR is measured in whole seconds, so ratios for bounds of about 1 s are coarse.",
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

const goals = (results: Sweep.Results): string => {
  const policies = ["rebound", ...Candidates.all.map((c) => c.name)]
  const verdicts = policies.flatMap((p) => Goals.evaluate(results, p).map((v) => ({ policy: p, ...v })))
  return [
    "## Goals for rebound's recommended default",
    "",
    table(
      ["policy", "scenario", "goal", "met", "numbers"],
      verdicts.map((v) => [
        v.policy,
        v.scenario,
        v.goal,
        v.met === undefined ? "not run" : v.met ? "yes" : "**no**",
        v.detail
      ])
    )
  ].join("\n")
}

/** @internal */
export const markdown = (results: Sweep.Results, run: Report.RunInfo): string =>
  [
    "# rebound simulator — results",
    "",
    `Generated by \`pnpm simulate\` (${run.command}). Machine: ${run.machine}. ${
      num(run.events, 0)
    } simulated events in ${num(run.wallSeconds, 1)} s of wall time (${
      num(run.events / run.wallSeconds, 0)
    } events/s). Seeds ${results.options.firstSeed}…${
      results.options.firstSeed + results.options.seeds - 1
    } for B and C (mean ± 95 % interval over seeds), ${results.options.trials} trials per point for A.`,
    "",
    "What each scenario models and how to read these tables: [README.md](README.md).",
    "",
    goals(results),
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
