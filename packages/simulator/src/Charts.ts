/**
 * Charts of a sweep's results as Vega-Lite specifications, rendered to SVG headless by Vega (no canvas, no native
 * dependency): calls and completion time against clients for scenario A (like Brooker's figures), B1's trade-off and
 * its cells, the load on the service in B2 and C1, recovery after an outage, goodput in C2, and the metastability map.
 *
 * Where means are compared, each carries its 95 % interval over seeds (error bars); lines differ in colour and dash;
 * legends show whole names; metastable map cells are coloured.
 *
 * @since 0.1.0
 */
import * as vega from "vega"
import type { TopLevelSpec } from "vega-lite"
import { compile } from "vega-lite"
import type * as Stats from "./Stats.js"
import type * as Sweep from "./Sweep.js"

/**
 * A chart: its file stem and its Vega-Lite specification.
 *
 * @since 0.1.0
 * @category models
 */
export interface Chart {
  readonly name: string
  readonly title: string
  readonly spec: TopLevelSpec
}

const width = 640
const height = 320

/** What every single-view chart starts with; legends never truncate a name. */
const frame = (title: string) =>
  ({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width,
    height,
    config: { legend: { labelLimit: 0, symbolLimit: 0 }, axis: { labelLimit: 0 } }
  }) as const

/** Policies shown in the time-series charts, in this order, so that the lines stay readable. */
const highlighted = [
  "none",
  "full",
  "aws-js-2026",
  "aws-js-2026-dynamodb",
  "aws-js-2026-adaptive",
  "sre",
  "grpc",
  "finagle",
  "rebound-v1",
  "rebound-v2",
  "rebound"
]

/** Colour and dash both encode the policy: two lines that coincide are still told apart by their dashes. */
const policyEncoding = (order: ReadonlyArray<string>) =>
  ({
    color: { field: "policy", type: "nominal", sort: [...order], scale: { scheme: "tableau20" } },
    strokeDash: { field: "policy", type: "nominal", sort: [...order] }
  }) as const

const timeChart = (
  name: string,
  title: string,
  values: ReadonlyArray<Record<string, unknown>>,
  y: string,
  marks: ReadonlyArray<number>,
  order: ReadonlyArray<string> = highlighted
): Chart => ({
  name,
  title,
  spec: {
    ...frame(title),
    layer: [
      {
        data: { values: [...values] },
        mark: { type: "line", strokeWidth: 1.6, interpolate: "step-after" },
        encoding: {
          x: { field: "t", type: "quantitative", title: "time (s; each step is one second)" },
          y: { field: "v", type: "quantitative", title: y },
          ...policyEncoding(order)
        }
      },
      {
        data: { values: marks.map((t) => ({ t })) },
        mark: { type: "rule", strokeDash: [2, 2], color: "gray" },
        encoding: { x: { field: "t", type: "quantitative" } }
      }
    ]
  }
})

/** A mean with its interval, for error bars. */
const interval = (e: Stats.Estimate, scale = 1) => ({
  mean: e.mean * scale,
  low: (e.mean - e.ci95) * scale,
  high: (e.mean + e.ci95) * scale
})

const contentionCharts = (results: Sweep.Results): Array<Chart> => {
  // Relative to full jitter at the same N, so the headline comparison is not lost in a plot scaled by "none". Only
  // curves run until success: as shipped, the defaults give up after a few attempts and their points would show the
  // work of the clients that did not finish as if it were cheap. rebound's transient curve is rebound-v2's too.
  const names: Record<string, string> = {
    "rebound-until-success": "rebound (50 ms ×1.5 to 2 s), until success",
    "rebound-v1-until-success": "rebound-v1 (50 ms ×2 to 20 s), until success"
  }
  const shown = ["none", "exponential", "equal", "decorrelated", "effect-jittered", ...Object.keys(names)]
  const full = (r: Sweep.ContentionRow) =>
    results.contention.find((f) => f.policy === "full" && f.clients === r.clients && f.split === r.split)
  const values = results.contention.filter((r) => shown.includes(r.policy) && full(r) !== undefined).map((r) => {
    const f = full(r)!
    return {
      policy: names[r.policy] ?? r.policy,
      split: r.split,
      clients: r.clients,
      writes: interval(r.writes, 1 / f.writes.mean),
      seconds: interval(r.completionMillis, 1 / f.completionMillis.mean)
    }
  })
  const order = shown.map((p) => names[p] ?? p)
  return ([
    ["contention-calls", "writes", "write calls ÷ full jitter's"],
    ["contention-time", "seconds", "completion time ÷ full jitter's"]
  ] as const).map(([name, field, axis]) => {
    const title = `A — ${axis} at the same N (below 1: better; 95 % intervals; hollow points: held-out N)`
    return {
      name,
      title,
      spec: {
        ...frame(title),
        encoding: { x: { field: "clients", type: "quantitative", title: "clients (N)" } },
        layer: [
          {
            data: {
              values: values.map((v) => ({ policy: v.policy, split: v.split, clients: v.clients, ...v[field] }))
            },
            encoding: { ...policyEncoding(order) },
            layer: [
              {
                mark: { type: "line" },
                encoding: { y: { field: "mean", type: "quantitative", title: axis, scale: { type: "log" } } }
              },
              {
                transform: [{ filter: "datum.split === 'training'" }],
                mark: { type: "point", size: 50, filled: true },
                encoding: { y: { field: "mean", type: "quantitative" } }
              },
              {
                transform: [{ filter: "datum.split !== 'training'" }],
                mark: { type: "point", size: 50, filled: false, strokeWidth: 2 },
                encoding: { y: { field: "mean", type: "quantitative" } }
              },
              {
                mark: { type: "errorbar", ticks: true },
                encoding: { y: { field: "low", type: "quantitative", title: axis }, y2: { field: "high" } }
              }
            ]
          },
          {
            data: { values: [{ y: 1 }] },
            mark: { type: "rule", strokeDash: [4, 3], color: "black" },
            encoding: { y: { field: "y", type: "quantitative" } }
          }
        ]
      } as TopLevelSpec
    }
  })
}

const drainCharts = (results: Sweep.Results): Array<Chart> => {
  const charts: Array<Chart> = []
  const design = results.drain.filter((r) => r.split === "training" && r.cell === results.drain[0]?.cell)
  if (design.length > 0) {
    const title = `B1 — attempts per item vs completion, ${design[0]!.cell} (95 % intervals; goal: the green box)`
    const points = design.filter((r) => r.amplification.mean < 4).map((r) => ({
      policy: r.policy,
      x: interval(r.completionSeconds, 1 / r.bound),
      y: interval(r.amplification)
    }))
    // Policies that land on the same point (the same numbers) share one label with all their names; a label that
    // would sit on another one moves down a line (in the axis' units: a 25th of the range shown).
    const merged = new Map<string, { x: number; y: number; text: string }>()
    for (const p of points) {
      const key = `${p.x.mean.toFixed(6)}/${p.y.mean.toFixed(6)}`
      const seen = merged.get(key)
      merged.set(key, { x: p.x.mean, y: p.y.mean, text: seen === undefined ? p.policy : `${seen.text} = ${p.policy}` })
    }
    const ys = points.map((p) => p.y.mean)
    const xs = points.map((p) => p.x.mean)
    const line = (Math.max(...ys) - Math.min(...ys)) / 25
    const near = (Math.max(...xs) - Math.min(...xs)) / 6
    const labels: Array<{ x: number; y: number; text: string }> = []
    for (const l of [...merged.values()].sort((a, b) => b.y - a.y)) {
      let y = l.y
      while (labels.some((o) => Math.abs(o.x - l.x) < near && Math.abs(o.y - y) < line)) y -= line
      labels.push({ ...l, y })
    }
    charts.push({
      name: "drain-tradeoff",
      title,
      spec: {
        ...frame(title),
        layer: [
          {
            data: { values: [{ x: 1, x2: 1.1, y: 1, y2: 1.2 }] },
            mark: { type: "rect", opacity: 0.15, color: "green" },
            encoding: {
              x: { field: "x", type: "quantitative" },
              x2: { field: "x2" },
              y: { field: "y", type: "quantitative" },
              y2: { field: "y2" }
            }
          },
          {
            data: {
              values: points.map((p) => ({
                policy: p.policy,
                x: p.x.mean,
                xLow: p.x.low,
                xHigh: p.x.high,
                y: p.y.mean,
                yLow: p.y.low,
                yHigh: p.y.high
              }))
            },
            layer: [
              {
                mark: { type: "point", filled: true, size: 60 },
                encoding: {
                  x: { field: "x", type: "quantitative", title: "completion ÷ (W − B)/R", scale: { zero: false } },
                  y: { field: "y", type: "quantitative", title: "attempts per item", scale: { zero: false } },
                  color: { field: "policy", type: "nominal", scale: { scheme: "tableau20" } },
                  shape: { field: "policy", type: "nominal" }
                }
              },
              {
                mark: { type: "errorbar" },
                encoding: {
                  x: { field: "xLow", type: "quantitative", title: "completion ÷ (W − B)/R" },
                  x2: { field: "xHigh" },
                  y: { field: "y", type: "quantitative" },
                  color: { field: "policy", type: "nominal" }
                }
              },
              {
                mark: { type: "errorbar" },
                encoding: {
                  y: { field: "yLow", type: "quantitative", title: "attempts per item" },
                  y2: { field: "yHigh" },
                  x: { field: "x", type: "quantitative" },
                  color: { field: "policy", type: "nominal" }
                }
              }
            ]
          },
          {
            data: { values: labels },
            mark: { type: "text", align: "left", dx: 7, dy: -6, fontSize: 10 },
            encoding: {
              x: { field: "x", type: "quantitative" },
              y: { field: "y", type: "quantitative" },
              text: { field: "text" }
            }
          }
        ]
      } as TopLevelSpec
    })
  }
  const compared = ["aws-js-2026-dynamodb", "aws-js-2026-adaptive", "full", "rebound-v2", "rebound"]
  const rows = results.drain.filter((r) => compared.includes(r.policy))
  if (rows.length > 0) {
    const title =
      "B1 — every cell (T: training, H: held-out): completion ÷ bound and attempts per item (95 % intervals; goals: dashed)"
    const values = rows.map((r) => ({
      policy: r.policy,
      cell: `${r.split === "training" ? "T" : "H"}: ${r.cell}`,
      ratio: interval(r.completionSeconds, 1 / r.bound),
      amplification: interval(r.amplification)
    }))
    const cells = [...new Set(values.map((v) => v.cell))]
    const panel = (
      field: "ratio" | "amplification",
      goal: number,
      axis: string,
      scale: "linear" | "log",
      labels: boolean
    ) => ({
      width: 330,
      height: 24 * cells.length,
      layer: [
        {
          data: { values: values.map((v) => ({ policy: v.policy, cell: v.cell, ...v[field] })) },
          encoding: {
            y: { field: "cell", type: "nominal", sort: cells, title: null, ...(labels ? {} : { axis: null }) },
            yOffset: { field: "policy", type: "nominal", sort: compared },
            color: { field: "policy", type: "nominal", sort: compared, scale: { scheme: "tableau10" } }
          },
          layer: [
            {
              mark: { type: "point", filled: true, size: 30 },
              encoding: {
                x: {
                  field: "mean",
                  type: "quantitative",
                  title: axis,
                  scale: scale === "log" ? { type: "log" } : { zero: false }
                },
                shape: { field: "policy", type: "nominal", sort: compared }
              }
            },
            {
              mark: { type: "errorbar" },
              encoding: { x: { field: "low", type: "quantitative", title: axis }, x2: { field: "high" } }
            }
          ]
        },
        {
          data: { values: [{ goal }] },
          mark: { type: "rule", strokeDash: [4, 3], color: "darkgreen" },
          encoding: { x: { field: "goal", type: "quantitative" } }
        }
      ]
    })
    charts.push({
      name: "drain-cells",
      title,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title,
        config: { legend: { labelLimit: 0 }, axis: { labelLimit: 0 } },
        hconcat: [
          panel("ratio", 1.1, "completion ÷ bound", "linear", true),
          panel("amplification", 1.2, "attempts per item (log scale)", "log", false)
        ],
        resolve: { scale: { y: "shared" } }
      } as TopLevelSpec
    })
  }
  return charts
}

/** The per-second series of a row, as `{ policy, t, v }`. */
const seriesOf = (
  rows: ReadonlyArray<{ readonly policy: string }>,
  value: (row: never, t: number) => number | undefined,
  length: (row: never) => number,
  from = 0,
  to = Infinity
) =>
  rows.filter((r) => highlighted.includes(r.policy)).flatMap((r) =>
    Array.from({ length: Math.max(0, Math.min(length(r as never), to) - from) }, (_, i) => i + from).flatMap((t) => {
      const v = value(r as never, t)
      return v === undefined ? [] : [{ policy: r.policy, t, v }]
    })
  )

/**
 * The charts of a sweep (those whose scenarios were run).
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (results: Sweep.Results): ReadonlyArray<Chart> => {
  const charts: Array<Chart> = []
  if (results.contention.length > 0) charts.push(...contentionCharts(results))
  if (results.drain.length > 0) charts.push(...drainCharts(results))
  const open = results.open.filter((r) => r.loadFactor === 1.5)
  if (open.length > 0) {
    const overload = results.options.scale === "full" ? 60 : 10
    charts.push(
      timeChart(
        "open-load",
        "B2 — attempts per second on the service, λ = 1.5 × R then 0.5 × R (goodput is R for every policy)",
        seriesOf(open, (r: Sweep.OpenRow, t) => r.attempts[t], (r: Sweep.OpenRow) => r.attempts.length),
        "attempts per second",
        [overload]
      )
    )
  }
  if (results.outage.length > 0) {
    const cells = [...new Set(results.outage.map((r) => r.cell))]
    const title = "C1 — outage load by policy and cell (95 % intervals; goal ≤ 1.1×, dashed)"
    const values = results.outage.map((r) => ({ policy: r.policy, cell: r.cell, ...interval(r.outageLoad) }))
    charts.push({
      name: "outage-load-bars",
      title,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title,
        config: { legend: { labelLimit: 0 }, axis: { labelLimit: 0 } },
        data: { values },
        facet: { column: { field: "cell", type: "nominal", sort: cells, title: null } },
        spec: {
          width: 170,
          height: 360,
          layer: [
            {
              mark: { type: "point", filled: true },
              encoding: {
                y: { field: "policy", type: "nominal", sort: null, title: null },
                x: { field: "mean", type: "quantitative", title: "attempts ÷ offered" },
                color: {
                  condition: { test: "datum.mean > 1.1", value: "firebrick" },
                  value: "steelblue"
                }
              }
            },
            {
              mark: { type: "errorbar" },
              encoding: {
                y: { field: "policy", type: "nominal", sort: null },
                x: { field: "low", type: "quantitative", title: "attempts ÷ offered" },
                x2: { field: "high" }
              }
            },
            {
              mark: { type: "rule", strokeDash: [4, 3], color: "darkgreen" },
              encoding: { x: { datum: 1.1 } }
            }
          ]
        }
      } as TopLevelSpec
    })
    const sixty = results.outage.filter((r) => r.cell === "T = 60 s")
    if (sixty.length > 0) {
      const start = sixty[0]!.startSeconds
      charts.push(
        timeChart(
          "outage-load",
          `C1 — attempts ÷ offered requests per second, a 60 s outage from t = ${start} s`,
          seriesOf(
            sixty,
            (r: Sweep.OutageRow, t) => r.attempts[t]! / Math.max(1, r.offered[t] ?? 0),
            (r: Sweep.OutageRow) => r.attempts.length
          ),
          "outage load (×)",
          [start, start + 60]
        )
      )
    }
    const long = results.outage.filter((r) => r.cell === "T = 300 s")
    const recovery = long.length > 0 ? long : results.outage.filter((r) => r.cell === cells[0])
    if (recovery.length > 0) {
      const end = recovery[0]!.startSeconds + recovery[0]!.outageSeconds
      charts.push(
        timeChart(
          "outage-recovery",
          `C1 — successes ÷ offered requests per second as the service returns at t = ${end} s (${recovery[0]!.cell})`,
          seriesOf(
            recovery,
            (r: Sweep.OutageRow, t) => r.goodput[t]! / Math.max(1, r.offered[t] ?? 0),
            (r: Sweep.OutageRow) => r.goodput.length,
            end - 5,
            end + 15
          ),
          "successes ÷ offered",
          [end]
        )
      )
    }
  }
  const design = results.brownout.filter((r) => r.split === "training")
  if (design.length > 0) {
    charts.push(
      timeChart(
        "brownout-goodput",
        `C2 — goodput per second, ${design[0]!.cell}, trigger from t = 30 s`,
        seriesOf(design, (r: Sweep.BrownoutRow, t) => r.goodput[t], (r: Sweep.BrownoutRow) => r.goodput.length),
        "successes per second",
        [30, 40]
      )
    )
  }
  const hotOs = results.brownout.filter((r) => r.split === "held-out")
  if (hotOs.length > 0) {
    const order = ["none", "one-retry", ...highlighted.filter((p) => p !== "none")]
    charts.push(
      timeChart(
        "hotos-goodput",
        "C2 — the HotOS '21 example: 280 QPS on 300 QPS, a 10 s blip from t = 30 s",
        hotOs.flatMap((r) => r.goodput.map((v, t) => ({ policy: r.policy, t, v }))),
        "successes per second",
        [30, 40],
        order
      )
    )
  }
  if (results.map.length > 0) {
    const title =
      "C2 — metastability map, held-out: time to recover ÷ no-retry drain bound (dark red M: metastable; ✗: goal not met)"
    const values = results.map.map((c) => {
      const ratio = (c.timeToRecoverSeconds.estimate?.mean ?? 0) / c.bound
      const metastable = c.metastable > 0
      const failed = c.load <= 0.9 && (metastable || ratio > 1.2)
      return {
        policy: c.policy,
        load: String(c.load),
        trigger: String(c.triggerSeconds),
        ratio: metastable ? null : ratio,
        metastable,
        text: metastable ? "M" : `${ratio.toFixed(1)}${failed ? "✗" : ""}`
      }
    })
    const policies = [...new Set(results.map.map((c) => c.policy))]
    charts.push({
      name: "metastability-map",
      title,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title,
        config: { legend: { labelLimit: 0 } },
        data: { values },
        facet: { field: "policy", type: "nominal", title: null, sort: policies },
        columns: 4,
        spec: {
          width: 150,
          height: 120,
          encoding: {
            x: { field: "trigger", type: "ordinal", title: "trigger T (s, τ = 1 s)", sort: null },
            y: { field: "load", type: "ordinal", title: "load ρ", sort: "descending" }
          },
          layer: [
            {
              transform: [{ filter: "!datum.metastable" }],
              mark: "rect",
              encoding: {
                color: {
                  field: "ratio",
                  type: "quantitative",
                  title: "TTR ÷ bound",
                  // Greens within the goal (≤ 1.2 × bound), warm colours beyond it; metastable cells are dark red.
                  scale: {
                    type: "threshold",
                    domain: [0.5, 1.2, 2, 5],
                    range: ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]
                  }
                }
              }
            },
            {
              transform: [{ filter: "datum.metastable" }],
              mark: { type: "rect", color: "#67001f" }
            },
            {
              mark: { type: "text", fontSize: 9 },
              encoding: {
                text: { field: "text" },
                color: { condition: { test: "datum.metastable", value: "white" }, value: "black" }
              }
            }
          ]
        }
      } as TopLevelSpec
    })
  }
  return charts
}

/**
 * Renders a chart to SVG with Vega's headless renderer.
 *
 * @since 0.1.0
 * @category rendering
 */
export const toSvg = (chart: Chart): Promise<string> =>
  new vega.View(vega.parse(compile(chart.spec).spec), { renderer: "none" }).toSVG()
