/**
 * Charts of a sweep's results as Vega-Lite specifications, rendered to SVG headless by Vega (no canvas, no native
 * dependency): calls and completion time against clients for scenario A (like Brooker's figures), B1's trade-off,
 * goodput over time for B2 and C, and the metastability map.
 *
 * @since 0.1.0
 */
import * as vega from "vega"
import type { TopLevelSpec } from "vega-lite"
import { compile } from "vega-lite"
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

/** What every single-view chart starts with. */
const frame = (title: string) =>
  ({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, width, height }) as const

/** Policies shown in the time-series charts, so that the lines stay readable. */
const highlighted = [
  "none",
  "full",
  "immediate-3",
  "aws-js-2026",
  "aws-js-2026-adaptive",
  "sre",
  "grpc",
  "rebound",
  "rebound-v1"
]

const series = (
  rows: ReadonlyArray<{ readonly policy: string; readonly goodput: ReadonlyArray<number> }>,
  field: "goodput"
) =>
  rows.filter((r) => highlighted.includes(r.policy)).flatMap((r) =>
    r[field].map((v, t) => ({ policy: r.policy, t, v }))
  )

const timeChart = (
  name: string,
  title: string,
  values: ReadonlyArray<Record<string, unknown>>,
  y: string,
  marks: ReadonlyArray<number>
): Chart => ({
  name,
  title,
  spec: {
    ...frame(title),
    layer: [
      {
        data: { values: [...values] },
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: { field: "t", type: "quantitative", title: "time (s)" },
          y: { field: "v", type: "quantitative", title: y },
          color: { field: "policy", type: "nominal", sort: highlighted, scale: { scheme: "tableau10" } }
        }
      },
      {
        data: { values: marks.map((t) => ({ t })) },
        mark: { type: "rule", strokeDash: [4, 4], color: "gray" },
        encoding: { x: { field: "t", type: "quantitative" } }
      }
    ]
  }
})

/** B1's points; policies that land on the same point (the same numbers) share one, labelled with all their names. */
const drainPoints = (rows: ReadonlyArray<Sweep.DrainRow>) => {
  const points = new Map<string, { policy: string; completion: number; amplification: number }>()
  for (const r of rows.filter((r) => r.amplification.mean < 4)) {
    const completion = r.completionSeconds.mean / r.bound
    const amplification = r.amplification.mean
    const key = `${completion.toFixed(6)}/${amplification.toFixed(6)}`
    const seen = points.get(key)
    points.set(key, {
      policy: seen === undefined ? r.policy : `${seen.policy} = ${r.policy}`,
      completion,
      amplification
    })
  }
  return [...points.values()]
}

/**
 * The charts of a sweep (those whose scenarios were run).
 *
 * @since 0.1.0
 * @category constructors
 */
export const of = (results: Sweep.Results): ReadonlyArray<Chart> => {
  const charts: Array<Chart> = []
  if (results.contention.length > 0) {
    const values = results.contention.map((r) => ({
      policy: r.policy,
      clients: r.clients,
      writes: r.writes.mean,
      seconds: r.completionMillis.mean / 1000
    })).filter((v) =>
      v.policy.endsWith("-until-success")
        ? v.policy === "rebound-v1-until-success" || v.policy === "rebound-until-success"
        : !v.policy.startsWith("rebound")
    )
    for (
      const [name, field, title, scale] of [
        ["contention-calls", "writes", "A — write calls vs clients (Brooker's OCC, mean of trials)", "linear"],
        ["contention-time", "seconds", "A — completion time vs clients (log scale)", "log"]
      ] as const
    ) {
      charts.push({
        name,
        title,
        spec: {
          ...frame(title),
          data: { values },
          mark: { type: "line", point: true },
          encoding: {
            x: { field: "clients", type: "quantitative", title: "clients" },
            y: {
              field,
              type: "quantitative",
              title: field === "writes" ? "write calls" : "seconds",
              scale: { type: scale }
            },
            color: { field: "policy", type: "nominal", scale: { scheme: "tableau10" } }
          }
        }
      })
    }
  }
  if (results.drain.length > 0) {
    const title = "B1 — amplification vs completion (goal: the shaded box)"
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
            data: { values: drainPoints(results.drain) },
            layer: [
              {
                mark: { type: "point", filled: true, size: 60 },
                encoding: {
                  x: {
                    field: "completion",
                    type: "quantitative",
                    title: "completion ÷ (W − B)/R",
                    scale: { zero: false }
                  },
                  y: {
                    field: "amplification",
                    type: "quantitative",
                    title: "attempts per item",
                    scale: { zero: false }
                  },
                  color: { field: "policy", type: "nominal", scale: { scheme: "tableau20" } }
                }
              },
              {
                mark: { type: "text", align: "left", dx: 6, fontSize: 9 },
                encoding: {
                  x: { field: "completion", type: "quantitative" },
                  y: { field: "amplification", type: "quantitative" },
                  text: { field: "policy" }
                }
              }
            ]
          }
        ]
      }
    })
  }
  const open = results.open.filter((r) => r.loadFactor === 1.5)
  if (open.length > 0) {
    const overload = results.options.scale === "full" ? 60 : 10
    charts.push(
      timeChart(
        "open-goodput",
        "B2 — goodput per second, 1.5 × R then 0.5 × R",
        series(open, "goodput"),
        "successes per second",
        [overload]
      )
    )
  }
  const outage = results.outage.filter((r) => r.outageSeconds === 60)
  if (outage.length > 0) {
    const values = outage.filter((r) => highlighted.includes(r.policy)).flatMap((r) =>
      r.attempts.map((v, t) => ({ policy: r.policy, t, v: v / Math.max(1, r.offered[t] ?? 0) }))
    )
    charts.push(
      timeChart(
        "outage-load",
        "C1 — attempts ÷ offered requests per second, 60 s outage from t = 30 s",
        values,
        "outage load (×)",
        [30, 90]
      )
    )
    charts.push(
      timeChart(
        "outage-goodput",
        "C1 — goodput per second, 60 s outage from t = 30 s",
        series(outage, "goodput"),
        "successes per second",
        [30, 90]
      )
    )
  }
  if (results.brownout.length > 0) {
    const start = 30
    charts.push(
      timeChart(
        "brownout-goodput",
        "C2 — goodput per second, capacity 0 for 10 s from t = 30 s (ρ = 0.8)",
        series(results.brownout, "goodput"),
        "successes per second",
        [start, start + 10]
      )
    )
  }
  if (results.hotOs.length > 0) {
    charts.push(
      timeChart(
        "hotos-goodput",
        "C2 — the HotOS '21 example: 280 QPS on 300 QPS, a 10 s blip",
        results.hotOs.flatMap((r) => r.goodput.map((v, t) => ({ policy: r.policy, t, v }))),
        "successes per second",
        [30, 40]
      )
    )
  }
  if (results.map.length > 0) {
    const title = "C2 — metastability map: time to recover ÷ no-retry drain bound (M = never, metastable)"
    const values = results.map.map((c) => ({
      policy: c.policy,
      load: String(c.load),
      trigger: String(c.triggerSeconds),
      ratio: c.metastable > 0 ? null : (c.timeToRecoverSeconds.estimate?.mean ?? 0) / c.bound,
      text: c.metastable > 0 ? "M" : ((c.timeToRecoverSeconds.estimate?.mean ?? 0) / c.bound).toFixed(1)
    }))
    charts.push({
      name: "metastability-map",
      title,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title,
        data: { values },
        facet: { field: "policy", type: "nominal", title: null },
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
              mark: "rect",
              encoding: {
                color: {
                  field: "ratio",
                  type: "quantitative",
                  title: "TTR ÷ bound",
                  scale: { type: "symlog", scheme: "yellowgreenblue", reverse: true, domain: [0, 10] }
                }
              }
            },
            { mark: { type: "text", fontSize: 9 }, encoding: { text: { field: "text" } } }
          ]
        }
      }
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
