/** Counts per bin of virtual time (a whole second unless told), growing as needed. @internal */
export class Series {
  readonly counts: Array<number> = []
  constructor(readonly binMicros = 1_000_000) {}
  add(atMicros: number, n = 1): void {
    const i = Math.floor(atMicros / this.binMicros)
    while (this.counts.length <= i) this.counts.push(0)
    this.counts[i]! += n
  }
  at(second: number): number {
    return this.counts[second] ?? 0
  }
  sum(from: number, to: number): number {
    let s = 0
    for (let i = from; i < to; i++) s += this.at(i)
    return s
  }
  /** The first `seconds` bins, zero-padded. */
  take(seconds: number): Array<number> {
    return Array.from({ length: seconds }, (_, i) => this.at(i))
  }
}

/**
 * Recovery lag: seconds after `from` until goodput tracks the offered load — from that second on, every trailing
 * `window`-second sum of successes is within `tolerance` of the requests that arrived in the same window. `undefined`
 * when it never does before `end`.
 * @internal
 */
export const recoveryLag = (
  goodput: Series,
  offered: Series,
  from: number,
  end: number,
  tolerance = 0.05,
  window = 5
): number | undefined => {
  let start: number | undefined
  for (let s = from; s + window <= end; s++) {
    const g = goodput.sum(s, s + window)
    const a = offered.sum(s, s + window)
    const ok = Math.abs(g - a) <= tolerance * a
    if (ok && start === undefined) start = s
    if (!ok) start = undefined
  }
  return start === undefined ? undefined : start - from
}

/**
 * Time to recover: bins after bin `from` until the first window of `window` bins, all before bin `end`, whose successes
 * reach `share` of the requests that arrived in it. `undefined` when there is none. Pooling the window's counts, rather
 * than asking each second on its own, keeps Poisson noise (two independent counts of about λ each second) from
 * deciding the verdict.
 * @internal
 */
export const timeToRecover = (
  goodput: Series,
  offered: Series,
  from: number,
  end: number,
  window: number,
  share = 0.95
): number | undefined => {
  let g = goodput.sum(from, from + window)
  let a = offered.sum(from, from + window)
  for (let b = from; b + window <= end; b++) {
    if (g >= share * a) return b - from
    g += goodput.at(b + window) - goodput.at(b)
    a += offered.at(b + window) - offered.at(b)
  }
  return undefined
}
