import type * as AdaptiveLimiter from "../AdaptiveLimiter.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type * as FleetStore from "../FleetStore.js"
import type * as RetryBudget from "../RetryBudget.js"
import type * as RetryQuota from "../RetryQuota.js"
import type { Guard } from "../StateStore.js"
import * as limiterMachine from "./adaptiveLimiter.js"
import * as breakerMachine from "./circuitBreaker.js"
import * as budgetMachine from "./retryBudget.js"
import * as quotaMachine from "./retryQuota.js"
import * as validate from "./validate.js"

/**
 * The lease protocol of a fleet store, as plain data and pure functions: what a process keeps for each shared key,
 * what it reports at a sync, how the fleet merges a report into its record (the engine runs that step atomically, on
 * its own clock), and how the process adopts the answer. Every rule about a guard's state is a transition of that
 * guard's own module; this file only routes keys to them. The Effect shell (`fleetStore.ts`) and the simulator both
 * drive exactly this.
 */

type Kind = "breaker" | "limiter" | "budget" | "quota"

const kindOf = (key: string): Kind | undefined => {
  const kind = key.slice(0, key.indexOf("/"))
  return kind === "breaker" || kind === "limiter" || kind === "budget" || kind === "quota" ? kind : undefined
}

/** Deltas a process's own steps made since its last report, per kind. */
type Pending =
  | { readonly _tag: "quota"; readonly spent: number }
  | { readonly _tag: "budget"; readonly delta: budgetMachine.BudgetDelta | undefined }
  | { readonly _tag: "limiter"; readonly delta: limiterMachine.LimiterDelta | undefined }
  | { readonly _tag: "breaker"; readonly changedAt: number | undefined }

const nothingPending = (kind: Kind): Pending => {
  switch (kind) {
    case "quota":
      return { _tag: "quota", spent: 0 }
    case "budget":
      return { _tag: "budget", delta: undefined }
    case "limiter":
      return { _tag: "limiter", delta: undefined }
    case "breaker":
      return { _tag: "breaker", changedAt: undefined }
  }
}

const isEmpty = (p: Pending): boolean => {
  switch (p._tag) {
    case "quota":
      return p.spent === 0
    case "budget":
    case "limiter":
      return p.delta === undefined
    case "breaker":
      return p.changedAt === undefined
  }
}

interface Entry {
  readonly kind: Kind
  guard: Guard
  state: unknown
  /** Deltas since the report in flight (or since the last one, when none is in flight). */
  pending: Pending
  /** Local instant the pending deltas began. */
  pendingSince: number
  /** A report is on its way. */
  inflight: boolean
  /** Local instant of the latest sync started; -Infinity before the first. */
  lastSync: number
  /** Local instant of the latest step. */
  touched: number
  /** The fleet decrease a shared limiter was last adopted under. */
  epoch: number
  /** Whether this key has ever been answered by the fleet. */
  synced: boolean
  /** A shared limiter's latest fleet record (on the local clock), while the fleet answers; unset while it does not. */
  limiterView: limiterMachine.LimiterFleet | undefined
}

/**
 * One key's report, as the engine receives it. Its instants are on the process's clock; the merge moves them onto the
 * engine's by the difference between the engine's time and `sentAt` (off by at most half the round trip), so no
 * process needs to know its offset to report.
 * @internal
 */
export interface Request {
  readonly key: string
  readonly process: string
  readonly guard: Guard
  /** Local instant the request was made. */
  readonly sentAt: number
  readonly report:
    | { readonly _tag: "quota"; readonly report: quotaMachine.QuotaReport }
    | { readonly _tag: "budget"; readonly delta: budgetMachine.BudgetDelta | undefined }
    | { readonly _tag: "limiter"; readonly delta: limiterMachine.LimiterDelta | undefined; readonly since: number }
    | {
      readonly _tag: "breaker"
      readonly transition: { readonly state: CircuitBreaker.State; readonly changedAt: number } | undefined
    }
  /** The deltas the report carries, kept to put back if it never arrives, and the local instant they began. */
  readonly carried: Pending
  readonly carriedSince: number
}

/** The engine's answer to one request: the fleet's record after the merge (or the grant, for a quota). @internal */
export type Answer =
  | { readonly _tag: "quota"; readonly granted: number }
  | { readonly _tag: "budget"; readonly fleet: RetryBudget.State }
  | { readonly _tag: "limiter"; readonly fleet: limiterMachine.LimiterFleet }
  | { readonly _tag: "breaker"; readonly fleet: breakerMachine.BreakerFleet | undefined }

/** @internal */
export interface MergeOptions {
  /** Leases and senders not heard from for this long are forgotten by the fleet. */
  readonly leaseTtlMillis: number
}

/**
 * The fleet's step for one request: the record under the key (`undefined` when absent) and the fleet's time give the
 * record to store (`undefined`: store nothing, the request changed nothing) and the answer. Pure: the engine may run
 * it again if another process wrote the record in between.
 * @internal
 */
export const merge = (
  request: Request,
  record: unknown,
  nowMillis: number,
  options: MergeOptions
): readonly [unknown, Answer] => {
  const r = request.report
  const toFleet = nowMillis - request.sentAt
  switch (r._tag) {
    case "quota": {
      const [fleet, granted] = quotaMachine.mergeLease(
        request.guard as RetryQuota.RetryQuota,
        record as quotaMachine.QuotaFleet | undefined,
        request.process,
        r.report,
        nowMillis,
        options.leaseTtlMillis
      )
      return [fleet, { _tag: "quota", granted }]
    }
    case "budget": {
      if (r.delta === undefined && record !== undefined) {
        return [undefined, { _tag: "budget", fleet: record as RetryBudget.State }]
      }
      const fleet = budgetMachine.mergeDelta(
        request.guard as RetryBudget.RetryBudget,
        record as RetryBudget.State | undefined,
        r.delta,
        nowMillis
      )
      return [fleet, { _tag: "budget", fleet }]
    }
    case "limiter": {
      const fleet = limiterMachine.mergeReport(
        request.guard as AdaptiveLimiter.AdaptiveLimiter,
        record as limiterMachine.LimiterFleet | undefined,
        request.process,
        r.delta,
        r.since + toFleet,
        nowMillis,
        options.leaseTtlMillis
      )
      return [fleet, { _tag: "limiter", fleet }]
    }
    case "breaker": {
      const before = record as breakerMachine.BreakerFleet | undefined
      if (r.transition === undefined) return [undefined, { _tag: "breaker", fleet: before }]
      const fleet = breakerMachine.mergeState(
        before,
        breakerMachine.shift(r.transition.state, toFleet),
        r.transition.changedAt + toFleet
      )
      return [fleet === before ? undefined : fleet, { _tag: "breaker", fleet }]
    }
  }
}

/** @internal */
export interface ProcessOptions {
  /** The process's name in the fleet's records. */
  readonly process: string
  /** Most keys held; the least recently used is dropped beyond it. */
  readonly maxEntries: number
  /** Keys not used for this long are no longer synced. */
  readonly idleMillis: number
}

/**
 * One process's side of the protocol: the local states the call machine steps on (synchronously, no round trip), the
 * deltas its steps made, and the reports and adoptions that tie them to the fleet. Deterministic: every method takes
 * the local time it happens at.
 * @internal
 */
export class Process {
  private readonly entries = new Map<string, Entry>()
  constructor(readonly options: ProcessOptions) {}

  /** Whether `key` is a guard key this protocol can share. */
  static shares(key: string): boolean {
    return kindOf(key) !== undefined
  }

  get size(): number {
    return this.entries.size
  }

  keys(): ReadonlyArray<string> {
    return [...this.entries.keys()]
  }

  get(key: string): unknown {
    return this.entries.get(key)?.state
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  remove(matches: (key: string) => boolean): void {
    for (const key of [...this.entries.keys()]) {
      if (matches(key)) this.entries.delete(key)
    }
  }

  /** Whether a key has never been answered by the fleet (a new key asks for a sync at once). */
  isNew(key: string): boolean {
    const entry = this.entries.get(key)
    return entry !== undefined && !entry.synced && entry.lastSync === -Infinity
  }

  private entry(key: string, kind: Kind, guard: Guard, initial: () => unknown, now: number): Entry {
    let entry = this.entries.get(key)
    if (entry !== undefined) {
      // Touching a key moves it to the end: the first key is always the least recently used.
      this.entries.delete(key)
      entry.guard = guard
    } else {
      // A quota starts with a provisional lease, so retries need not wait for the first answer; the fleet takes back
      // any excess at the next sync.
      const state = kind === "quota" ? quotaMachine.minimumLease(guard as RetryQuota.RetryQuota) : initial()
      entry = {
        kind,
        guard,
        state,
        pending: nothingPending(kind),
        pendingSince: now,
        inflight: false,
        lastSync: -Infinity,
        touched: now,
        epoch: 0,
        synced: false,
        limiterView: undefined
      }
    }
    entry.touched = now
    this.entries.set(key, entry)
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.entries.delete(oldest.value)
    }
    return entry
  }

  /**
   * One call step on the local states of `keys` (the keys this protocol shares; `guards` in the same order), recording
   * what the step changed as deltas for the next report.
   */
  step<A>(
    keys: ReadonlyArray<string>,
    guards: ReadonlyArray<Guard>,
    initial: (index: number) => unknown,
    f: (states: ReadonlyArray<unknown>) => readonly [A, ReadonlyArray<unknown>],
    now: number
  ): A {
    const entries = keys.map((key, i) => this.entry(key, kindOf(key)!, guards[i]!, () => initial(i), now))
    const before = entries.map((e) => e.state)
    const [result, after] = f(before)
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!
      entry.pending = this.observed(entry, before[i], after[i], now)
      // A shared limiter sends at its share of the fleet's rate: the process's own outcomes reach the rate through the
      // fleet, at the next sync. While the fleet does not answer, the local controller runs on its own.
      entry.state = entry.limiterView === undefined ?
        after[i] :
        limiterMachine.share(
          entry.guard as AdaptiveLimiter.AdaptiveLimiter,
          after[i] as AdaptiveLimiter.State,
          entry.limiterView
        )
    }
    return result
  }

  private observed(entry: Entry, before: unknown, after: unknown, now: number): Pending {
    const p = entry.pending
    switch (p._tag) {
      case "quota":
        return { _tag: "quota", spent: p.spent + quotaMachine.spentBy(before as number, after as number) }
      case "budget":
        return {
          _tag: "budget",
          delta: budgetMachine.combine(
            p.delta,
            budgetMachine.observe(
              entry.guard as RetryBudget.RetryBudget,
              before as RetryBudget.State,
              after as RetryBudget.State
            )
          )
        }
      case "limiter": {
        const seen = limiterMachine.observe(before as AdaptiveLimiter.State, after as AdaptiveLimiter.State)
        return seen === undefined ?
          p :
          { _tag: "limiter", delta: limiterMachine.addObservation(p.delta, seen.throttled, entry.epoch) }
      }
      case "breaker":
        return breakerMachine.transitioned(before as CircuitBreaker.State, after as CircuitBreaker.State) ?
          { _tag: "breaker", changedAt: now } :
          p
    }
  }

  /**
   * Whether `key` should sync at `now`: a new key at once; a quota that cannot pay for a retry at once; any other key
   * used within `idleMillis`, once per `intervalMillis`.
   */
  due(key: string, now: number, intervalMillis: number): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined || entry.inflight) return false
    if (entry.lastSync === -Infinity) return true
    if (now - entry.touched > this.options.idleMillis && isEmpty(entry.pending)) return false
    if (
      entry.kind === "quota" &&
      (entry.state as number) < quotaMachine.minimumLease(entry.guard as RetryQuota.RetryQuota) / 2
    ) {
      return now - entry.lastSync >= intervalMillis / 4
    }
    return now - entry.lastSync >= intervalMillis
  }

  /**
   * Starts a sync of `key` at local time `now`: the request to send. The deltas it carries leave the entry (a quota's
   * surplus too); {@link failed} puts them back.
   */
  prepare(key: string, now: number): Request | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined || entry.inflight) return undefined
    const carried = entry.pending
    const common = {
      key,
      process: this.options.process,
      guard: entry.guard,
      sentAt: now,
      carried,
      carriedSince: entry.pendingSince
    }
    let request: Request
    switch (carried._tag) {
      case "quota": {
        const [report, kept] = quotaMachine.prepareLease(
          entry.guard as RetryQuota.RetryQuota,
          entry.state as number,
          carried.spent
        )
        entry.state = kept
        const provisional = entry.synced ? undefined : quotaMachine.minimumLease(entry.guard as RetryQuota.RetryQuota)
        request = { ...common, report: { _tag: "quota", report: { ...report, provisional } } }
        break
      }
      case "budget":
        request = { ...common, report: { _tag: "budget", delta: carried.delta } }
        break
      case "limiter":
        request = {
          ...common,
          report: { _tag: "limiter", delta: carried.delta, since: entry.pendingSince }
        }
        break
      case "breaker":
        request = {
          ...common,
          report: {
            _tag: "breaker",
            transition: carried.changedAt === undefined ? undefined : {
              state: entry.state as CircuitBreaker.State,
              changedAt: carried.changedAt
            }
          }
        }
        break
    }
    entry.pending = nothingPending(entry.kind)
    entry.pendingSince = now
    entry.inflight = true
    entry.lastSync = now
    return request
  }

  /** The fleet's answer to `request`, adopted at local time `now`. */
  adopt(request: Request, answer: Answer, now: number, offsetMillis: number): void {
    const entry = this.entries.get(request.key)
    if (entry === undefined) return
    entry.inflight = false
    entry.synced = true
    switch (answer._tag) {
      case "quota":
        entry.state = quotaMachine.adoptLease(entry.state as number, answer.granted)
        return
      case "budget": {
        const p = entry.pending
        entry.state = budgetMachine.applyDelta(
          entry.guard as RetryBudget.RetryBudget,
          budgetMachine.shift(answer.fleet, -offsetMillis),
          p._tag === "budget" ? p.delta : undefined,
          now
        )
        return
      }
      case "limiter": {
        const fleet = answer.fleet
        entry.epoch = fleet.epoch
        entry.limiterView = { ...fleet, state: limiterMachine.shift(fleet.state, -offsetMillis) }
        entry.state = limiterMachine.share(
          entry.guard as AdaptiveLimiter.AdaptiveLimiter,
          entry.state as AdaptiveLimiter.State,
          entry.limiterView
        )
        return
      }
      case "breaker": {
        if (answer.fleet === undefined) return
        const p = entry.pending
        entry.state = breakerMachine.adoptState(
          entry.guard as CircuitBreaker.CircuitBreaker,
          entry.state as CircuitBreaker.State,
          breakerMachine.shift(answer.fleet.state, -offsetMillis),
          p._tag === "breaker" && p.changedAt !== undefined,
          now
        )
        return
      }
    }
  }

  /** `request` never reached the fleet (or its answer was lost): its deltas go back to the entry. */
  failed(request: Request): void {
    const entry = this.entries.get(request.key)
    if (entry === undefined) return
    entry.inflight = false
    entry.limiterView = undefined
    entry.pendingSince = Math.min(entry.pendingSince, request.carriedSince)
    const carried = request.carried
    const p = entry.pending
    if (carried._tag === "quota" && p._tag === "quota" && request.report._tag === "quota") {
      entry.state = (entry.state as number) + request.report.report.returned
      entry.pending = { _tag: "quota", spent: p.spent + carried.spent }
    } else if (carried._tag === "budget" && p._tag === "budget") {
      entry.pending = { _tag: "budget", delta: budgetMachine.combine(carried.delta, p.delta) }
    } else if (carried._tag === "limiter" && p._tag === "limiter") {
      const a = carried.delta
      const b = p.delta
      entry.pending = {
        _tag: "limiter",
        delta: a === undefined ? b : b === undefined ? a : b.epoch > a.epoch ?
          { ...b, attempts: a.attempts + b.attempts } :
          { attempts: a.attempts + b.attempts, throttles: a.throttles + b.throttles, epoch: a.epoch }
      }
    } else if (carried._tag === "breaker" && p._tag === "breaker" && p.changedAt === undefined) {
      entry.pending = carried
    }
  }
}

/** @internal */
export const validateOptions = (where: string, options: FleetStore.Options) => ({
  intervalMillis: validate.millis(where, "syncInterval", options.syncInterval ?? 250, { min: 1 }),
  timeoutMillis: validate.millis(where, "syncTimeout", options.syncTimeout ?? 200, { min: 1 }),
  leaseTtlMillis: validate.millis(where, "leaseTtl", options.leaseTtl ?? 10_000),
  maxEntries: validate.integer(where, "maxEntries", options.maxEntries ?? 10_000, 1)
})
