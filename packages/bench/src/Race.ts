/**
 * A fair race between contenders that do the same work: rounds in which every contender runs the same number of
 * sequential calls, in an order rotated from round to round (so no contender always runs first, right after a
 * garbage collection, or last, on a warmer JIT), timed in wall time and in process CPU time. Each round yields, for
 * every contender, the ratio of its time per call to the baseline's in that same round: a machine that slows down
 * during a round slows both sides of the ratio. The result is the median of those paired ratios and their
 * interquartile range, beside the median times.
 */

/** One contender: a name and one call (awaited when it returns a promise). */
export interface Contender {
  readonly name: string
  readonly call: () => unknown
}

export interface RaceOptions {
  /** The contender every ratio is taken against. */
  readonly baseline: string
  /** Rounds of measurement. Default 15. */
  readonly rounds?: number | undefined
  /** Sequential calls per contender per round. Default 300. */
  readonly calls?: number | undefined
  /** Calls per contender before measuring (module initialisation, JIT). Default 300. */
  readonly warmup?: number | undefined
}

/** A median and its interquartile range. */
export interface Spread {
  readonly median: number
  readonly q1: number
  readonly q3: number
}

export interface Standing {
  readonly name: string
  /** Wall time per call, µs. */
  readonly wallMicros: Spread
  /** Process CPU time (user + system) per call, µs. */
  readonly cpuMicros: Spread
  /** Paired per-round ratios of wall time to the baseline's. */
  readonly wallRatio: Spread
  /** Paired per-round ratios of CPU time to the baseline's. */
  readonly cpuRatio: Spread
}

export interface RaceResult {
  readonly baseline: string
  readonly rounds: number
  readonly calls: number
  readonly standings: ReadonlyArray<Standing>
}

/** The q-quantile (0 ≤ q ≤ 1) of a sample, interpolating linearly between order statistics. */
export const quantile = (sample: ReadonlyArray<number>, q: number): number => {
  if (sample.length === 0) return NaN
  const sorted = [...sample].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const below = Math.floor(at)
  const above = Math.ceil(at)
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below)
}

export const spread = (sample: ReadonlyArray<number>): Spread => ({
  median: quantile(sample, 0.5),
  q1: quantile(sample, 0.25),
  q3: quantile(sample, 0.75)
})

/** The order of the contenders in round `round`: the list rotated left by the round number. */
export const rotation = <A>(items: ReadonlyArray<A>, round: number): ReadonlyArray<A> => {
  const shift = items.length === 0 ? 0 : round % items.length
  return [...items.slice(shift), ...items.slice(0, shift)]
}

/** Ratios of each round's value to the baseline's value in the same round. */
export const pairedRatios = (values: ReadonlyArray<number>, baseline: ReadonlyArray<number>): Array<number> =>
  values.map((value, round) => value / baseline[round]!)

const cpuMicros = () => {
  const { system, user } = process.cpuUsage()
  return user + system
}

const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  typeof u === "object" && u !== null && typeof (u as { then?: unknown }).then === "function"

const runCalls = async (call: () => unknown, calls: number) => {
  for (let i = 0; i < calls; i++) {
    const result = call()
    if (isThenable(result)) await result
  }
}

/** Runs the race. Contenders run one after the other, never concurrently. */
export const race = async (
  contenders: ReadonlyArray<Contender>,
  options: RaceOptions
): Promise<RaceResult> => {
  const rounds = options.rounds ?? 15
  const calls = options.calls ?? 300
  const warmup = options.warmup ?? 300
  if (!contenders.some((c) => c.name === options.baseline)) {
    throw new Error(`race: the baseline ${options.baseline} is not among the contenders`)
  }
  for (const contender of contenders) await runCalls(contender.call, warmup)
  const wall = new Map(contenders.map((c) => [c.name, [] as Array<number>]))
  const cpu = new Map(contenders.map((c) => [c.name, [] as Array<number>]))
  for (let round = 0; round < rounds; round++) {
    for (const contender of rotation(contenders, round)) {
      const cpuBefore = cpuMicros()
      const started = performance.now()
      await runCalls(contender.call, calls)
      wall.get(contender.name)!.push(((performance.now() - started) * 1000) / calls)
      cpu.get(contender.name)!.push((cpuMicros() - cpuBefore) / calls)
    }
  }
  const baseWall = wall.get(options.baseline)!
  const baseCpu = cpu.get(options.baseline)!
  return {
    baseline: options.baseline,
    rounds,
    calls,
    standings: contenders.map((c) => ({
      name: c.name,
      wallMicros: spread(wall.get(c.name)!),
      cpuMicros: spread(cpu.get(c.name)!),
      wallRatio: spread(pairedRatios(wall.get(c.name)!, baseWall)),
      cpuRatio: spread(pairedRatios(cpu.get(c.name)!, baseCpu))
    }))
  }
}
