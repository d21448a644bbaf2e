// `pnpm simulate:hedging`: scenario H (a latency tail, and a partial outage) for every hedging policy, written to
// docs/benchmarks/hedging-simulated.md. Virtual time: the same seeds give the same numbers on any machine.
import { Command, Options } from "@effect/cli"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Hedging, RetryPolicy } from "@rebound/core"
import { LatencyTail } from "@rebound/core/testing"
import { Console, Effect } from "effect"
import * as Stats from "../Stats.js"
import * as Tail from "../Tail.js"

const seeds = Options.integer("seeds").pipe(Options.withDefault(5), Options.withDescription("Seeds per point."))
const out = Options.file("out").pipe(
  Options.withDefault("docs/benchmarks/hedging-simulated.md"),
  Options.withDescription("Where to write the report (Markdown).")
)

const ms = (e: Stats.Estimate) => `${e.mean.toFixed(0)} ± ${e.ci95.toFixed(0)}`
const pct = (e: Stats.Estimate) => `${(e.mean * 100).toFixed(2)} ± ${(e.ci95 * 100).toFixed(2)} %`

/** rebound's default hedging with other budget ratios: can the budget alone hold extra requests to the 5 % goal? */
const budgetRatios = [0.1, 0.05, 0.04]
const withRatio = (ratio: number) => {
  const name = `p95-budget-${ratio}`
  const reads = Tail.policies.find((p) => p.name === "none")!.policy
  return {
    name,
    label: `p95 delay, ${(ratio * 100).toFixed(0)} % budget`,
    policy: RetryPolicy.modify(reads, { name, hedging: Hedging.make({ name, budget: { ratio } }) })
  }
}

/**
 * Cells the default was not examined on while its delay was being fixed (the tail above and the lab were): other
 * tails, rates and service times. Judged cell by cell on the same two goals.
 */
const heldOut: ReadonlyArray<readonly [string, Tail.Params]> = [
  ["1 % of requests delayed U(200 ms, 500 ms)", {
    ...Tail.defaults,
    tail: LatencyTail.make(0.01, LatencyTail.uniform("200 millis", "500 millis"))
  }],
  ["0.5 % delayed U(1 s, 2 s)", {
    ...Tail.defaults,
    tail: LatencyTail.make(0.005, LatencyTail.uniform("1 second", "2 seconds"))
  }],
  ["4 % delayed U(1 s, 2 s)", {
    ...Tail.defaults,
    tail: LatencyTail.make(0.04, LatencyTail.uniform("1 second", "2 seconds"))
  }],
  ["2 % delayed U(1 s, 2 s), λ = 50 calls/s", { ...Tail.defaults, arrivalsPerSecond: 50 }],
  ["2 % delayed U(1 s, 2 s), service 2 ms + Exp(mean 10 ms)", { ...Tail.defaults, serviceMeanMillis: 10 }]
]

const table = (params: Tail.Params, seedCount: number, outage: boolean, policies = Tail.policies) => {
  const rows = policies.map((policy) => {
    const trials = Array.from({ length: seedCount }, (_, i) => Tail.trial(params, policy, i + 1))
    const of = (f: (t: Tail.Trial) => number) => Stats.estimate(trials.map(f))
    return {
      policy,
      p50: of((t) => t.p50Millis),
      p99: of((t) => t.p99Millis),
      p999: of((t) => t.p999Millis),
      extra: of((t) => t.extraShare),
      outageExtra: of((t) => t.outageExtraShare ?? 0),
      peak: of((t) => t.peakLoad),
      events: trials.reduce((n, t) => n + t.events, 0)
    }
  })
  const head = outage ?
    "| policy | p50 ms | p99 ms | p99.9 ms | extra requests, whole run | extra requests, outage window | peak load (1 s) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |" :
    "| policy | p50 ms | p99 ms | p99.9 ms | extra requests | peak load (1 s) |\n| --- | ---: | ---: | ---: | ---: | ---: |"
  const lines = rows.map((r) =>
    outage ?
      `| ${r.policy.label} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.p999)} | ${pct(r.extra)} | ${pct(r.outageExtra)} | ${
        r.peak.mean.toFixed(2)
      }× |` :
      `| ${r.policy.label} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.p999)} | ${pct(r.extra)} | ${
        r.peak.mean.toFixed(2)
      }× |`
  )
  return { text: [head, ...lines].join("\n"), rows }
}

const command = Command.make("simulate-hedging", { seeds, out }, (args) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const tail = table(Tail.defaults, args.seeds, false)
    const outage = table(Tail.partialOutage, args.seeds, true)
    const find = (rows: typeof tail.rows, name: string) => rows.find((r) => r.policy.name === name)!
    const none = find(tail.rows, "none")
    const goals = (name: string) => {
      const r = find(tail.rows, name)
      const ratio = none.p999.mean / r.p999.mean
      return `${r.policy.label}: p99.9 ${none.p999.mean.toFixed(0)} → ${r.p999.mean.toFixed(0)} ms, ${
        ratio.toFixed(1)
      } × lower (goal ≥ 10 ×: **${ratio >= 10 ? "met" : "not met"}**), ${(r.extra.mean * 100).toFixed(2)} % extra ` +
        `requests (goal ≤ 5 %: **${r.extra.mean <= 0.05 ? "met" : "not met"}**).`
    }
    const budgets = table(Tail.defaults, args.seeds, false, budgetRatios.map(withRatio))
    const params = Tail.defaults
    /** What a budget allows by construction: `ratio` of every call (warm-up too), plus each client's full bucket. */
    const allowed = (ratio: number) =>
      (ratio * (params.calls + params.warmupCalls) + params.clients * 10) / params.calls
    const budgetLines = budgets.rows.map((r, i) => {
      const ratio = budgetRatios[i]!
      const cut = none.p999.mean / r.p999.mean
      return `- ${r.policy.label}: at most ${(allowed(ratio) * 100).toFixed(2)} % extra requests by construction; ` +
        `${(r.extra.mean * 100).toFixed(2)} % measured (goal ≤ 5 %: **${
          r.extra.mean <= 0.05 ? "met" : "not met"
        }**), ` +
        `p99.9 ${cut.toFixed(1)} × lower (goal ≥ 10 ×: **${cut >= 10 ? "met" : "not met"}**).`
    })
    const byName = (name: string) => Tail.policies.filter((p) => p.name === name)
    const heldOutLines = heldOut.map(([label, cell]) => {
      const [plain] = table(cell, args.seeds, false, byName("none")).rows
      const [hedged] = table(cell, args.seeds, false, byName("rebound-p95")).rows
      const cut = plain!.p999.mean / hedged!.p999.mean
      return `| ${label} | ${plain!.p999.mean.toFixed(0)} → ${ms(hedged!.p999)} | ${cut.toFixed(1)} × (**${
        cut >= 10 ? "met" : "not met"
      }**) | ${pct(hedged!.extra)} (**${hedged!.extra.mean <= 0.05 ? "met" : "not met"}**) |`
    })
    const outageOf = (name: string) => (find(outage.rows, name).outageExtra.mean * 100).toFixed(1)
    const polly = find(tail.rows, "polly")
    const o = Tail.partialOutage.outage!
    const report = [
      "# Hedged requests in the simulator (scenario H)",
      "",
      `Generated by \`pnpm simulate:hedging --seeds ${args.seeds}\`: ${args.seeds} seeds per point, mean ± 95 % interval.`,
      "Virtual time (`@rebound/simulator`, `Tail`): the per-call machine `RetryCall` decides every hedge, as in the",
      "interpreter (`HedgingCrossCheck.test.ts` runs both on the same requests and requires the same instants).",
      `${Tail.defaults.clients} clients, λ = ${Tail.defaults.arrivalsPerSecond} calls/s, ${
        Tail.defaults.calls.toLocaleString("en-US")
      } calls measured after ${Tail.defaults.warmupCalls} warm-up calls (they fill the latency trackers); network`,
      "2 × |N(1, 0.2)| ms, service 2 ms + Exp(mean 3 ms), no server queue. Every policy runs `Presets.rebound`'s",
      "retries. Extra requests: requests beyond one per call (hedges and retries) ÷ calls.",
      "",
      `## The tail: ${LatencyTail.describe(Tail.defaults.tail)}`,
      "",
      tail.text,
      "",
      `- ${goals("rebound-p95")}`,
      `- ${goals("rebound-p98")}`,
      `- ${goals("polly")}${
        polly.extra.mean === 0 ? " Polly's 2 s delay is past every delay of this tail: it never hedges." : ""
      }`,
      "",
      "### Could the budget hold the default to 5 % by construction?",
      "",
      "A p95 delay asks for a hedge on the calls slower than the tracker's threshold for p95 — the latency at most 5 %",
      "of calls are expected to exceed, read from the recent sample so that a small sample does not make it hedge more",
      "(a plain p95 of 20 samples is exceeded by 9.5 % of calls; this scenario read 5.5 % extra requests with it) —",
      "so the default lands at or under the goal, and its 10 % budget never binds in steady state. That is an",
      "average, not a bound. A budget small enough to cap extra requests at 5 % whatever the scenario (its ratio of",
      "every call, warm-up included, plus each client's 10-token bucket) is a bound, but hedges then ask for about as",
      "many tokens as the bucket earns: a slow request that finds it empty waits for a token, and the tail goes",
      "unhedged.",
      "",
      budgets.text,
      "",
      ...budgetLines,
      "",
      "### Held out: the default on cells it was not examined on",
      "",
      "| cell | p99.9 ms, no hedging → `Hedging.p95` | p99.9 goal (≥ 10 ×) | extra requests (goal ≤ 5 %) |",
      "| --- | ---: | --- | --- |",
      ...heldOutLines,
      "",
      "With one hedge per call, a share s of slow requests leaves s² of calls with both copies slow: at 4 % that is",
      "0.16 % of calls, more than the 0.1 % above p99.9, so no delay can meet the p99.9 goal there. A second hedge",
      "(`maxHedged: 2`) would leave s³ = 0.006 %, at a higher price in extra requests; not measured here.",
      "",
      `## A partial outage: from ${o.startSeconds} s for ${o.seconds} s, ${LatencyTail.describe(o.tail)}`,
      "",
      outage.text,
      "",
      `Extra requests during the outage window: a fixed 20 ms delay without a budget ${
        outageOf("fixed-20ms-unbudgeted")
      } % (a hedge for nearly every slow request: the load storm), Polly's defaults ${outageOf("polly")} % (a hedge ` +
      `for every request still pending after 2 s), rebound's default ${outageOf("rebound-p95")} % and the p98 ` +
      `variant ${outageOf("rebound-p98")} % — within their budgets (10 % and 4 % of calls, plus 10 tokens per ` +
      `client) — and the fixed 20 ms delay with a 5 % budget ${outageOf("fixed-20ms-budgeted")} %.`,
      ""
    ].join("\n")
    yield* fs.writeFileString(path.resolve(args.out), report)
    yield* Console.log(report)
  }))

Command.run(command, { name: "simulate-hedging", version: "0.1.0" })(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
