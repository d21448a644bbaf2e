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
  B1variants: [
    ...Policies.drain.filter((p) => ["full", "aws-js-2026", "aws-js-2026-adaptive", "sre", "rebound"].includes(p.name)),
    Candidates.reboundV1,
    Throttled.oracle
  ],
  B2: [...Policies.requests, ...Candidates.all],
  C1: [...Policies.requests, ...Candidates.all],
  C2: [...Policies.requests, ...Candidates.all],
  C2map: [
    Policies.none,
    ...Policies.requests.filter((p) =>
      ["immediate-3", "full", "aws-js-2026", "sre", "grpc", "finagle", "rebound"].includes(p.name)
    ),
    ...Candidates.all
  ],
  hotOs: [
    Policies.none,
    Policies.curve("one-retry", "One immediate retry (HotOS '21)", {
      jitter: "none",
      base: 0,
      cap: 2000,
      maxAttempts: 2
    }),
    rebound,
    Candidates.reboundV1
  ]
} as const satisfies Record<string, ReadonlyArray<Client.SimPolicy>>

const grids = {
  full: {
    contentionClients: [10, 30, 50, 70, 100, 130, 160, 190],
    loadFactors: [0.5, 0.9, 1.0, 1.5, 3.0],
    outages: [10, 60, 300],
    mapLoads: [0.3, 0.5, 0.7, 0.8, 0.9, 0.95],
    mapTriggers: [0.5, 1, 2, 5, 10],
    drain: Throttled.drainDefaults,
    open: Throttled.openDefaults,
    outage: Outage.defaults,
    brownout: Brownout.defaults,
    mapCapacity: 250,
    mapSeeds: 2
  },
  small: {
    contentionClients: [10, 20],
    loadFactors: [1.5],
    outages: [10],
    mapLoads: [0.5, 0.9],
    mapTriggers: [2],
    drain: { ...Throttled.drainDefaults, clients: 10, instances: 10, items: 200, refillPerSecond: 20 },
    open: { ...Throttled.openDefaults, clients: 10, overloadSeconds: 10, recoverySeconds: 10, refillPerSecond: 20 },
    outage: { ...Outage.defaults, clients: 4, arrivalsPerSecond: 20, startSeconds: 5, afterSeconds: 10 },
    brownout: { ...Brownout.defaults, capacityPerSecond: 100, startSeconds: 5, triggerSeconds: 2, horizonSeconds: 20 },
    mapCapacity: 100,
    mapSeeds: 1
  }
} as const

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

/** @internal */
export const plan = (options: Sweep.Options): Sweep.Plan => {
  const grid = grids[options.scale]
  const seeds = Array.from({ length: options.seeds }, (_, i) => options.firstSeed + i)
  const trials = Array.from({ length: options.trials }, (_, i) => options.firstSeed + i)
  const wanted = (p: Client.SimPolicy) =>
    options.policies === undefined || options.policies.some((name) => p.name === name || p.name.startsWith(`${name}-`))
  const pick = (ps: ReadonlyArray<Client.SimPolicy>) => ps.filter(wanted)
  const tasks: Array<Sweep.Task> = []
  const results: {
    A: Array<Sweep.ContentionRow>
    B1: Array<Sweep.DrainRow>
    B1explore: Array<Sweep.DrainRow>
    B1variants: Array<Sweep.DrainRow>
    B2: Array<Sweep.OpenRow>
    C1: Array<Sweep.OutageRow>
    C2: Array<Sweep.BrownoutRow>
    hotOs: Array<Sweep.BrownoutRow>
    C2map: Array<Sweep.MapCell>
  } = { A: [], B1: [], B1explore: [], B1variants: [], B2: [], C1: [], C2: [], hotOs: [], C2map: [] }
  const has = (s: Sweep.ScenarioId) => options.scenarios.includes(s)

  if (has("A")) {
    for (const clients of grid.contentionClients) {
      for (const policy of pick(matrices.A)) {
        tasks.push({
          scenario: "A",
          label: `A ${policy.name} N=${clients}`,
          run: () =>
            over(trials.map((seed) => Contention.trial({ ...Contention.defaults, clients }, policy, seed)), (rs) => {
              const reference = Contention.reference.find((r) => r.clients === clients && r.policy === policy.name)
              results.A.push({
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
            })
        })
      }
    }
  }
  if (has("B1")) {
    const drain = (
      into: Array<Sweep.DrainRow>,
      params: Throttled.DrainParams,
      policy: Client.SimPolicy,
      variant = ""
    ): Sweep.Task => ({
      scenario: "B1",
      label: `B1 ${policy.name}${variant}`,
      run: () =>
        over(seeds.map((seed) => Throttled.drain(params, policy, seed)), (rs) => {
          const e = (f: (r: Throttled.DrainTrial) => number) => Stats.estimate(rs.map(f))
          into.push({
            policy: policy.name,
            label: `${policy.label}${variant}`,
            instances: params.instances,
            bound: Throttled.drainBound(params),
            completionSeconds: e((r) => r.completionSeconds),
            amplification: e((r) => r.amplification),
            throttled: e((r) => r.throttled),
            giveUps: e((r) => r.giveUps),
            p50Millis: e((r) => r.p50Millis),
            p99Millis: e((r) => r.p99Millis),
            jain: e((r) => r.jain),
            localWaitSeconds: e((r) => r.localWaitSeconds)
          })
        })
    })
    for (const policy of pick(matrices.B1)) tasks.push(drain(results.B1, grid.drain, policy))
    const variants: ReadonlyArray<readonly [string, Throttled.DrainParams]> = [
      ["B = 300·R", { ...grid.drain, burst: 300 * grid.drain.refillPerSecond }],
      ["4 in flight per client", { ...grid.drain, inFlight: 4 }]
    ]
    for (const [name, params] of variants) {
      for (const policy of pick(matrices.B1variants)) {
        tasks.push(drain(results.B1variants, params, policy, ` — ${name}`))
      }
    }
    for (const variant of Candidates.drainExploration.filter((v) => wanted(v.policy))) {
      const instances = Math.min(grid.drain.clients, variant.instances ?? grid.drain.instances)
      tasks.push(drain(results.B1explore, { ...grid.drain, instances }, variant.policy))
    }
  }
  if (has("B2")) {
    for (const loadFactor of grid.loadFactors) {
      for (const policy of pick(matrices.B2)) {
        tasks.push({
          scenario: "B2",
          label: `B2 ${policy.name} ${loadFactor}×R`,
          run: () =>
            over(seeds.map((seed) => Throttled.open({ ...grid.open, loadFactor }, policy, seed)), (rs) => {
              const e = (f: (r: Throttled.OpenTrial) => number) => Stats.estimate(rs.map(f))
              results.B2.push({
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
                offered: meanSeries(rs.map((r) => r.offered))
              })
            })
        })
      }
    }
  }
  if (has("C1")) {
    for (const outageSeconds of grid.outages) {
      for (const policy of pick(matrices.C1)) {
        tasks.push({
          scenario: "C1",
          label: `C1 ${policy.name} T=${outageSeconds}s`,
          run: () =>
            over(seeds.map((seed) => Outage.trial({ ...grid.outage, outageSeconds }, policy, seed)), (rs) => {
              const e = (f: (r: Outage.Trial) => number) => Stats.estimate(rs.map(f))
              results.C1.push({
                outageSeconds,
                policy: policy.name,
                label: policy.label,
                outageLoad: e((r) => r.outageLoad),
                peakOutageLoad: e((r) => r.peakOutageLoad),
                engageSeconds: maybe(rs.map((r) => r.engageSeconds)),
                recoveryLagSeconds: maybe(rs.map((r) => r.recoveryLagSeconds)),
                errors: e((r) => r.errors),
                p99Millis: e((r) => r.p99Millis),
                goodput: meanSeries(rs.map((r) => r.goodput)),
                attempts: meanSeries(rs.map((r) => r.attemptsPerSecond)),
                offered: meanSeries(rs.map((r) => r.offered))
              })
            })
        })
      }
    }
  }
  if (has("C2")) {
    const brownout = (
      into: Array<Sweep.BrownoutRow>,
      params: Brownout.Params,
      policy: Client.SimPolicy,
      label: string
    ): Sweep.Task => ({
      scenario: "C2",
      label,
      run: () =>
        over(seeds.map((seed) => Brownout.trial(params, policy, seed)), (rs) => {
          const e = (f: (r: Brownout.Trial) => number) => Stats.estimate(rs.map(f))
          into.push({
            policy: policy.name,
            label: policy.label,
            bound: Brownout.drainBound(params),
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
    for (const policy of pick(matrices.C2)) tasks.push(brownout(results.C2, grid.brownout, policy, `C2 ${policy.name}`))
    const hotOs = options.scale === "full" ? Brownout.hotOs : { ...grid.brownout, load: 280 / 300 }
    for (const policy of pick(matrices.hotOs)) {
      tasks.push(brownout(results.hotOs, hotOs, policy, `C2 HotOS '21 ${policy.name}`))
    }
    const mapSeeds = seeds.slice(0, grid.mapSeeds)
    for (const policy of pick(matrices.C2map)) {
      for (const load of grid.mapLoads) {
        for (const triggerSeconds of grid.mapTriggers) {
          tasks.push({
            scenario: "C2",
            label: `C2 map ${policy.name} ρ=${load} T=${triggerSeconds}s`,
            run: () => {
              const params: Brownout.Params = {
                ...grid.brownout,
                capacityPerSecond: grid.mapCapacity,
                load,
                triggerSeconds,
                stopWhenRecovered: true
              }
              return over(mapSeeds.map((seed) => Brownout.trial(params, policy, seed)), (rs) =>
                results.C2map.push({
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
  return {
    tasks,
    results: () => ({
      options,
      contention: results.A,
      drain: results.B1,
      drainExploration: results.B1explore,
      drainVariants: results.B1variants,
      drainBound: Throttled.drainBound(grid.drain),
      open: results.B2,
      outage: results.C1,
      brownout: results.C2,
      brownoutBound: Brownout.drainBound(grid.brownout),
      hotOs: results.hotOs,
      map: results.C2map
    })
  }
}
