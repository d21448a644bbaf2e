import { Presets } from "@rebound/core"
import * as Brownout from "../Brownout.js"
import * as Candidates from "../Candidates.js"
import type * as Client from "../Client.js"
import * as Contention from "../Contention.js"
import * as Outage from "../Outage.js"
import * as Policies from "../Policies.js"
import * as Stats from "../Stats.js"
import type * as Sweep from "../Sweep.js"
import * as Throttled from "../Throttled.js"

/** @internal */
export const defaults: Sweep.Options = {
  scenarios: ["A", "B1", "B2", "C1", "C2"],
  trials: 100,
  seeds: 5,
  firstSeed: 1,
  heldOutFirstSeed: 101,
  policies: undefined,
  scale: "full"
}

const rebound = Policies.of("rebound", "rebound default (Presets.rebound)", Presets.rebound)

/** @internal */
export const matrices = {
  A: [
    ...Policies.brooker,
    Policies.withDelays(
      "effect-jittered",
      "Effect Schedule.jittered (±20 %)",
      Policies.brooker[0]!.policy,
      Policies.jittered20(10, 2000)
    ),
    Candidates.untilSuccess(rebound),
    ...Candidates.all.map(Candidates.untilSuccess),
    rebound,
    ...Candidates.all
  ],
  B1: [...Policies.drain, ...Candidates.all, Throttled.oracle],
  B2: [...Policies.requests, ...Candidates.all],
  C1: [...Policies.requests, ...Candidates.all],
  C2: [...Policies.requests, ...Candidates.all],
  hotOs: [
    Policies.none,
    Policies.curve("one-retry", "One immediate retry (HotOS '21)", {
      jitter: "none",
      base: 0,
      cap: 2000,
      maxAttempts: 2
    }),
    ...Policies.requests.filter((p) => ["full", "aws-js-2026", "sre", "grpc", "finagle", "rebound"].includes(p.name)),
    ...Candidates.all
  ]
} as const satisfies Record<string, ReadonlyArray<Client.SimPolicy>>

const drainCells = (d: Throttled.DrainParams, small: boolean): ReadonlyArray<Sweep.DrainCell> => {
  const cell = (split: Sweep.Split, name: string, params: Throttled.DrainParams): Sweep.DrainCell => ({
    split,
    name,
    params
  })
  if (small) {
    return [
      cell("training", "design point", d),
      cell("held-out", `R = ${2 * d.refillPerSecond}/s`, { ...d, refillPerSecond: 2 * d.refillPerSecond })
    ]
  }
  return [
    cell("training", "R = 100/s, N = 50, W = 2,000 (design point)", d),
    cell("training", "R = 25/s, W = 500", { ...d, refillPerSecond: 25, items: 500 }),
    cell("training", "N = 100", { ...d, clients: 100, instances: 100 }),
    cell("training", "2 processes of 25 workers", { ...d, processes: 2 }),
    cell("training", "4 items in flight per worker", { ...d, inFlight: 4 }),
    cell("training", "one client for all 50 workers", { ...d, instances: 1 }),
    cell("held-out", "R = 50/s", { ...d, refillPerSecond: 50 }),
    cell("held-out", "R = 200/s", { ...d, refillPerSecond: 200 }),
    cell("held-out", "W = 4,000", { ...d, items: 4000 }),
    cell("held-out", "N = 10", { ...d, clients: 10, instances: 10 }),
    cell("held-out", "N = 200", { ...d, clients: 200, instances: 200 }),
    cell("held-out", "R = 10/s, W = 500 (the lab's scale)", { ...d, refillPerSecond: 10, items: 500 }),
    cell("held-out", "reads and writes on one table: 25 writers at 50/s, 25 readers at 100/s", {
      ...d,
      clients: 25,
      instances: 50,
      items: 1000,
      refillPerSecond: 50,
      reads: { clients: 25, items: 2000, refillPerSecond: 100 }
    }),
    cell("held-out", "5 processes of 10 workers", { ...d, processes: 5 })
  ]
}

const outageCells = (o: Outage.Params, small: boolean): ReadonlyArray<Sweep.OutageCell> =>
  small ?
    [
      { split: "training", name: "T = 10 s", params: { ...o, outageSeconds: 10 } },
      { split: "held-out", name: "T = 20 s", params: { ...o, outageSeconds: 20 } }
    ] :
    [
      { split: "training", name: "T = 10 s", params: { ...o, outageSeconds: 10 } },
      { split: "held-out", name: "T = 60 s", params: { ...o, outageSeconds: 60 } },
      { split: "held-out", name: "T = 300 s", params: { ...o, outageSeconds: 300 } },
      {
        split: "held-out",
        name: "T = 60 s, 100 clients at 1/s each",
        params: { ...o, outageSeconds: 60, clients: 100 }
      }
    ]

const grids = {
  full: {
    loadFactors: [0.5, 0.9, 1.0, 1.5, 3.0],
    open: Throttled.openDefaults,
    cells: {
      contention: [10, 30, 50, 70, 100, 130, 160, 190],
      drain: drainCells(Throttled.drainDefaults, false),
      outage: outageCells(Outage.defaults, false),
      brownout: [
        { split: "training", name: "C = 1,000/s, ρ = 0.8, T = 10 s (design point)", params: Brownout.defaults },
        { split: "held-out", name: "HotOS '21: C = 300/s, λ = 280/s, T = 10 s", params: Brownout.hotOs }
      ],
      map: { loads: [0.3, 0.5, 0.7, 0.8, 0.9, 0.95], triggers: [0.5, 1, 2, 5, 10], capacity: 250, seeds: 2 }
    } satisfies Sweep.Cells
  },
  small: {
    loadFactors: [1.5],
    open: { ...Throttled.openDefaults, clients: 10, overloadSeconds: 10, recoverySeconds: 10, refillPerSecond: 20 },
    cells: {
      contention: [10, 20],
      drain: drainCells(
        { ...Throttled.drainDefaults, clients: 10, instances: 10, items: 200, refillPerSecond: 20 },
        true
      ),
      outage: outageCells(
        { ...Outage.defaults, clients: 4, arrivalsPerSecond: 20, startSeconds: 5, afterSeconds: 10 },
        true
      ),
      brownout: [
        {
          split: "training",
          name: "design point",
          params: {
            ...Brownout.defaults,
            capacityPerSecond: 100,
            startSeconds: 5,
            triggerSeconds: 2,
            horizonSeconds: 20
          }
        }
      ],
      map: { loads: [0.5, 0.9], triggers: [2], capacity: 100, seeds: 1 }
    } satisfies Sweep.Cells
  }
} as const

/** @internal */
export const cells = (scale: Sweep.Options["scale"]): Sweep.Cells => grids[scale].cells

/** @internal */
export const only = (all: Sweep.Cells, split: Sweep.Split): Sweep.Cells => ({
  contention: all.contention.filter((n) => contentionSplit(n) === split),
  drain: all.drain.filter((c) => c.split === split),
  outage: all.outage.filter((c) => c.split === split),
  brownout: all.brownout.filter((c) => c.split === split),
  map: split === "held-out" ? all.map : { ...all.map, loads: [], triggers: [] }
})

/** A's training points are the ones rebound's transient curve was first chosen on. */
const contentionSplit = (clients: number): Sweep.Split => [20, 50, 100, 190].includes(clients) ? "training" : "held-out"

const maybe = (xs: ReadonlyArray<number | undefined>): Sweep.Maybe => {
  const finite = xs.filter((x): x is number => x !== undefined)
  return { estimate: finite.length === 0 ? undefined : Stats.estimate(finite), never: xs.length - finite.length }
}

const meanSeries = (series: ReadonlyArray<ReadonlyArray<number>>): Array<number> => {
  const length = Math.max(0, ...series.map((s) => s.length))
  return Array.from({ length }, (_, i) => Stats.mean(series.map((s) => s[i] ?? 0)))
}

/** Runs one trial per seed, records their summary, and returns the events they simulated. */
const over = <T extends { readonly events: number }>(
  trials: ReadonlyArray<T>,
  record: (trials: ReadonlyArray<T>) => void
): number => {
  record(trials)
  return trials.reduce((n, r) => n + r.events, 0)
}

const drainRow = (
  cell: Sweep.DrainCell,
  policy: Client.SimPolicy,
  rs: ReadonlyArray<Throttled.DrainTrial>
): Sweep.DrainRow => {
  const e = (f: (r: Throttled.DrainTrial) => number) => Stats.estimate(rs.map(f))
  return {
    split: cell.split,
    cell: cell.name,
    policy: policy.name,
    label: policy.label,
    instances: cell.params.instances,
    bound: Throttled.drainBound(cell.params),
    completionSeconds: e((r) => r.completionSeconds),
    amplification: e((r) => r.amplification),
    throttled: e((r) => r.throttled),
    giveUps: e((r) => r.giveUps),
    p50Millis: e((r) => r.p50Millis),
    p99Millis: e((r) => r.p99Millis),
    jain: e((r) => r.jain),
    localWaitSeconds: e((r) => r.localWaitSeconds)
  }
}

const outageRow = (
  cell: Sweep.OutageCell,
  policy: Client.SimPolicy,
  rs: ReadonlyArray<Outage.Trial>
): Sweep.OutageRow => {
  const e = (f: (r: Outage.Trial) => number) => Stats.estimate(rs.map(f))
  return {
    split: cell.split,
    cell: cell.name,
    startSeconds: cell.params.startSeconds,
    outageSeconds: cell.params.outageSeconds,
    clients: cell.params.clients,
    policy: policy.name,
    label: policy.label,
    outageLoad: e((r) => r.outageLoad),
    peakOutageLoad: e((r) => r.peakOutageLoad),
    engageSeconds: maybe(rs.map((r) => r.engageSeconds)),
    recoveryLagSeconds: maybe(rs.map((r) => r.recoveryLagSeconds)),
    firstSuccessAfterMillis: maybe(rs.map((r) => r.firstSuccessAfterMillis)),
    failedAfterReturn: e((r) => r.failedAfterReturn),
    errors: e((r) => r.errors),
    p99Millis: e((r) => r.p99Millis),
    goodput: meanSeries(rs.map((r) => r.goodput)),
    attempts: meanSeries(rs.map((r) => r.attemptsPerSecond)),
    offered: meanSeries(rs.map((r) => r.offered))
  }
}

/** @internal */
export const plan = (options: Sweep.Options): Sweep.Plan => {
  const grid = grids[options.scale]
  const all = grid.cells
  const seedsFrom = (first: number) => Array.from({ length: options.seeds }, (_, i) => first + i)
  const seedsOf = (split: Sweep.Split) => seedsFrom(split === "training" ? options.firstSeed : options.heldOutFirstSeed)
  const trialsOf = (split: Sweep.Split) =>
    Array.from(
      { length: options.trials },
      (_, i) => options.firstSeed + (split === "training" ? 0 : options.trials) + i
    )
  const wanted = (p: Client.SimPolicy) =>
    options.policies === undefined || options.policies.some((name) => p.name === name || p.name.startsWith(`${name}-`))
  const pick = (ps: ReadonlyArray<Client.SimPolicy>) => ps.filter(wanted)
  const tasks: Array<Sweep.Task> = []
  const results = {
    contention: [] as Array<Sweep.ContentionRow>,
    drain: [] as Array<Sweep.DrainRow>,
    open: [] as Array<Sweep.OpenRow>,
    outage: [] as Array<Sweep.OutageRow>,
    brownout: [] as Array<Sweep.BrownoutRow>,
    map: [] as Array<Sweep.MapCell>,
    tuningDrain: [] as Array<Sweep.DrainRow>,
    tuningOutage: [] as Array<Sweep.OutageRow>
  }
  const has = (s: Sweep.ScenarioId) => options.scenarios.includes(s)

  if (has("A")) {
    for (const clients of all.contention) {
      const split = contentionSplit(clients)
      for (const policy of pick(matrices.A)) {
        tasks.push({
          scenario: "A",
          label: `A ${policy.name} N=${clients}`,
          run: () =>
            over(
              trialsOf(split).map((seed) => Contention.trial({ ...Contention.defaults, clients }, policy, seed)),
              (rs) => {
                const reference = split === "training" ?
                  Contention.reference.find((r) => r.clients === clients && r.policy === policy.name) :
                  undefined
                results.contention.push({
                  split,
                  clients,
                  policy: policy.name,
                  label: policy.label,
                  writes: Stats.estimate(rs.map((r) => r.writes)),
                  completionMillis: Stats.estimate(rs.map((r) => r.completionMillis)),
                  completed: Stats.estimate(rs.map((r) => r.completed)),
                  reference: reference === undefined ?
                    undefined :
                    { writes: reference.writes, completionMillis: reference.completionMillis }
                })
              }
            )
        })
      }
    }
  }
  if (has("B1")) {
    const drain = (into: Array<Sweep.DrainRow>, cell: Sweep.DrainCell, policy: Client.SimPolicy): Sweep.Task => ({
      scenario: "B1",
      label: `B1 ${policy.name} ${cell.name}`,
      run: () =>
        over(
          seedsOf(cell.split).map((seed) => Throttled.drain(cell.params, policy, seed)),
          (rs) => into.push(drainRow(cell, policy, rs))
        )
    })
    for (const cell of all.drain) {
      for (const policy of pick(matrices.B1)) tasks.push(drain(results.drain, cell, policy))
      if (cell.split === "training") {
        for (const policy of pick(Candidates.tuning)) tasks.push(drain(results.tuningDrain, cell, policy))
      }
    }
  }
  if (has("B2")) {
    for (const loadFactor of grid.loadFactors) {
      for (const policy of pick(matrices.B2)) {
        tasks.push({
          scenario: "B2",
          label: `B2 ${policy.name} ${loadFactor}×R`,
          run: () =>
            over(
              seedsOf("training").map((seed) => Throttled.open({ ...grid.open, loadFactor }, policy, seed)),
              (rs) => {
                const e = (f: (r: Throttled.OpenTrial) => number) => Stats.estimate(rs.map(f))
                results.open.push({
                  loadFactor,
                  policy: policy.name,
                  label: policy.label,
                  goodputPerSecond: e((r) => r.goodputPerSecond),
                  amplification: e((r) => r.amplification),
                  throttled: e((r) => r.throttled),
                  errors: e((r) => r.issued - r.succeeded),
                  p99Millis: e((r) => r.p99Millis),
                  recoveryLagSeconds: maybe(rs.map((r) => r.recoveryLagSeconds)),
                  goodput: meanSeries(rs.map((r) => r.goodput)),
                  offered: meanSeries(rs.map((r) => r.offered)),
                  attempts: meanSeries(rs.map((r) => r.attemptsPerSecond))
                })
              }
            )
        })
      }
    }
  }
  if (has("C1")) {
    const outage = (into: Array<Sweep.OutageRow>, cell: Sweep.OutageCell, policy: Client.SimPolicy): Sweep.Task => ({
      scenario: "C1",
      label: `C1 ${policy.name} ${cell.name}`,
      run: () =>
        over(
          seedsOf(cell.split).map((seed) => Outage.trial(cell.params, policy, seed)),
          (rs) => into.push(outageRow(cell, policy, rs))
        )
    })
    for (const cell of all.outage) {
      for (const policy of pick(matrices.C1)) tasks.push(outage(results.outage, cell, policy))
      if (cell.split === "training") {
        for (const policy of pick(Candidates.tuning)) tasks.push(outage(results.tuningOutage, cell, policy))
      }
    }
  }
  if (has("C2")) {
    for (const cell of all.brownout) {
      const matrix = cell.split === "training" ? matrices.C2 : matrices.hotOs
      for (const policy of pick(matrix)) {
        tasks.push({
          scenario: "C2",
          label: `C2 ${policy.name} ${cell.name}`,
          run: () =>
            over(seedsOf(cell.split).map((seed) => Brownout.trial(cell.params, policy, seed)), (rs) => {
              const e = (f: (r: Brownout.Trial) => number) => Stats.estimate(rs.map(f))
              results.brownout.push({
                split: cell.split,
                cell: cell.name,
                load: cell.params.load,
                policy: policy.name,
                label: policy.label,
                bound: Brownout.drainBound(cell.params),
                timeToRecoverSeconds: maybe(rs.map((r) => r.timeToRecoverSeconds)),
                peakLoad: e((r) => r.peakLoad),
                triggerLoad: e((r) => r.triggerLoad),
                finalLoad: e((r) => r.finalLoad),
                wastedFraction: e((r) => r.wastedFraction),
                errors: e((r) => r.errors),
                goodput: meanSeries(rs.map((r) => r.goodput)),
                attempts: meanSeries(rs.map((r) => r.attemptsPerSecond)),
                offered: meanSeries(rs.map((r) => r.offered))
              })
            })
        })
      }
    }
    const mapSeeds = seedsOf("held-out").slice(0, all.map.seeds)
    const base = all.brownout[0]!.params
    for (const policy of pick(matrices.C2)) {
      for (const load of all.map.loads) {
        for (const triggerSeconds of all.map.triggers) {
          tasks.push({
            scenario: "C2",
            label: `C2 map ${policy.name} ρ=${load} T=${triggerSeconds}s`,
            run: () => {
              const params: Brownout.Params = {
                ...base,
                capacityPerSecond: all.map.capacity,
                load,
                triggerSeconds,
                stopWhenRecovered: true
              }
              return over(mapSeeds.map((seed) => Brownout.trial(params, policy, seed)), (rs) =>
                results.map.push({
                  policy: policy.name,
                  label: policy.label,
                  load,
                  triggerSeconds,
                  bound: Brownout.drainBound(params),
                  metastable: rs.filter((r) => r.timeToRecoverSeconds === undefined).length / rs.length,
                  timeToRecoverSeconds: maybe(rs.map((r) => r.timeToRecoverSeconds))
                }))
            }
          })
        }
      }
    }
  }
  return { tasks, results: () => ({ options, ...results }) }
}
