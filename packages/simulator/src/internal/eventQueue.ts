import type * as EventQueue from "../EventQueue.js"

interface Entry {
  readonly time: number
  readonly seq: number
  readonly run: () => void
}

const before = (x: Entry, y: Entry): boolean => x.time < y.time || (x.time === y.time && x.seq < y.seq)

/** A binary min-heap of events keyed by (time, seq). @internal */
class Heap implements EventQueue.EventQueue {
  private readonly entries: Array<Entry> = []
  private seq = 0
  now = 0
  processed = 0

  get size(): number {
    return this.entries.length
  }

  schedule(time: number, run: () => void): void {
    if (!Number.isInteger(time)) {
      throw new RangeError(`EventQueue.schedule: time must be whole microseconds; got ${time}`)
    }
    if (time < this.now) throw new RangeError(`EventQueue.schedule: time ${time} is before now (${this.now})`)
    const entries = this.entries
    const entry: Entry = { time, seq: this.seq++, run }
    let i = entries.length
    entries.push(entry)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = entries[parent]!
      if (!before(entry, p)) break
      entries[i] = p
      i = parent
    }
    entries[i] = entry
  }

  after(delay: number, run: () => void): void {
    this.schedule(this.now + delay, run)
  }

  pop(): Entry | undefined {
    const entries = this.entries
    const top = entries[0]
    if (top === undefined) return undefined
    const last = entries.pop()!
    const n = entries.length
    if (n > 0) {
      let i = 0
      while (true) {
        const left = 2 * i + 1
        if (left >= n) break
        const right = left + 1
        const child = right < n && before(entries[right]!, entries[left]!) ? right : left
        if (!before(entries[child]!, last)) break
        entries[i] = entries[child]!
        i = child
      }
      entries[i] = last
    }
    return top
  }

  run(until = Infinity): number {
    let count = 0
    while (this.entries.length > 0) {
      if (this.entries[0]!.time > until) break
      const entry = this.pop()!
      this.now = entry.time
      entry.run()
      count++
    }
    if (until !== Infinity && this.now < until) this.now = until
    this.processed += count
    return count
  }
}

/** @internal */
export const make = (): EventQueue.EventQueue => new Heap()
