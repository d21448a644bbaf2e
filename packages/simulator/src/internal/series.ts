/** Counts per whole second of virtual time, growing as needed. @internal */
export class Series {
  readonly counts: Array<number> = []
  add(atMicros: number, n = 1): void {
    const i = Math.floor(atMicros / 1_000_000)
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
 * Time to recover: seconds after `from` until the first of `run` consecutive seconds in each of which the successes
 * are at least `share` of that second's arrivals. `undefined` when it does not happen before `end`.
 * @internal
 */
export const timeToRecover = (
  goodput: Series,
  offered: Series,
  from: number,
  end: number,
  share = 0.95,
  run = 5
): number | undefined => {
  let streak = 0
  for (let s = from; s < end; s++) {
    streak = goodput.at(s) >= share * offered.at(s) ? streak + 1 : 0
    if (streak === run) return s - run + 1 - from
  }
  return undefined
}
