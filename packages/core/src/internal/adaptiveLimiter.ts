import type * as AdaptiveLimiter from "../AdaptiveLimiter.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { guardKey } from "./keys.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: AdaptiveLimiter.TypeId = Symbol.for("@rebound/core/AdaptiveLimiter") as AdaptiveLimiter.TypeId

/** @internal */
export const make = (options: AdaptiveLimiter.Options = {}): AdaptiveLimiter.AdaptiveLimiter => {
  const where = "AdaptiveLimiter.make"
  return {
    [TypeId]: TypeId,
    name: options.name ?? "limiter",
    beta: validate.between(where, "beta", options.beta ?? 0.7, 0, 1),
    scaleConstant: validate.atLeast(where, "scaleConstant", options.scaleConstant ?? 0.4, 0, true),
    smooth: validate.between(where, "smooth", options.smooth ?? 0.8, 0, 1),
    minFillRate: validate.atLeast(where, "minFillRate", options.minFillRate ?? 0.5, 0, true),
    minCapacity: validate.atLeast(where, "minCapacity", options.minCapacity ?? 1, 0, true),
    maxRateScale: validate.atLeast(where, "maxRateScale", options.maxRateScale ?? 2, 0, true),
    key: options.key
  }
}

// The SDKs round every rate to 8 decimal places; so must we, to compute the same numbers.
const precise = (n: number) => parseFloat(n.toFixed(8))

/** @internal */
export const initial = (limiter: AdaptiveLimiter.AdaptiveLimiter, nowMillis: number): AdaptiveLimiter.State => {
  const now = nowMillis / 1000
  return {
    enabled: false,
    availableTokens: 0,
    lastMaxRate: 0,
    measuredTxRate: 0,
    requestCount: 0,
    fillRate: limiter.minFillRate,
    maxCapacity: limiter.minCapacity,
    lastThrottleTime: now,
    lastTimestamp: undefined,
    lastTxRateBucket: Math.floor(now),
    timeWindow: 0,
    issued: 0,
    cancelled: []
  }
}

const refill = (state: AdaptiveLimiter.State, now: number): AdaptiveLimiter.State => {
  if (state.lastTimestamp === undefined) return { ...state, lastTimestamp: now }
  const filled = (now - state.lastTimestamp) * state.fillRate
  return {
    ...state,
    availableTokens: Math.min(state.maxCapacity, state.availableTokens + filled),
    lastTimestamp: now
  }
}

/** @internal */
export const update = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  nowMillis: number,
  throttled: boolean
): AdaptiveLimiter.State => {
  const now = nowMillis / 1000
  // Measured send rate: requests per 0.5 s bucket, smoothed.
  let s: AdaptiveLimiter.State = { ...state, requestCount: state.requestCount + 1 }
  const bucket = Math.floor(now * 2) / 2
  if (bucket > s.lastTxRateBucket) {
    const currentRate = s.requestCount / (bucket - s.lastTxRateBucket)
    s = {
      ...s,
      measuredTxRate: precise(currentRate * limiter.smooth + s.measuredTxRate * (1 - limiter.smooth)),
      requestCount: 0,
      lastTxRateBucket: bucket
    }
  }
  let calculated: number
  if (throttled) {
    const rateToUse = s.enabled ? Math.min(s.measuredTxRate, s.fillRate) : s.measuredTxRate
    s = { ...s, lastMaxRate: rateToUse }
    s = { ...s, timeWindow: precise(Math.pow((s.lastMaxRate * (1 - limiter.beta)) / limiter.scaleConstant, 1 / 3)) }
    s = { ...s, lastThrottleTime: now, enabled: true }
    calculated = precise(rateToUse * limiter.beta)
  } else {
    s = { ...s, timeWindow: precise(Math.pow((s.lastMaxRate * (1 - limiter.beta)) / limiter.scaleConstant, 1 / 3)) }
    calculated = precise(
      limiter.scaleConstant * Math.pow(now - s.lastThrottleTime - s.timeWindow, 3) + s.lastMaxRate
    )
  }
  const newRate = Math.min(calculated, limiter.maxRateScale * s.measuredTxRate)
  s = refill(s, now)
  const fillRate = Math.max(newRate, limiter.minFillRate)
  const maxCapacity = Math.max(newRate, limiter.minCapacity)
  return { ...s, fillRate, maxCapacity, availableTokens: Math.min(s.availableTokens, maxCapacity) }
}

/**
 * Tokens supplied so far, `availableTokens + issued`: reservation number `t` may send once the supply reaches its
 * place in line, `t` less the reservations cancelled ahead of it. A cancelled reservation stays in `cancelled` until
 * the supply reaches it; then its token goes back to the bucket, which keeps every later place where it was.
 */
const settle = (state: AdaptiveLimiter.State): AdaptiveLimiter.State => {
  if (state.cancelled.length === 0) return state
  let availableTokens = state.availableTokens
  let i = 0
  while (i < state.cancelled.length && state.cancelled[i]! <= availableTokens + state.issued) {
    availableTokens += 1
    i++
  }
  return i === 0 ? state : { ...state, availableTokens, cancelled: state.cancelled.slice(i) }
}

const placeOf = (state: AdaptiveLimiter.State, ticket: number): number => {
  let ahead = 0
  for (const c of state.cancelled) {
    if (c < ticket) ahead++
  }
  return ticket - ahead
}

const waitFor = (state: AdaptiveLimiter.State, ticket: number): number => {
  const deficit = placeOf(state, ticket) - (state.availableTokens + state.issued)
  // Below a billionth of a token the deficit is floating-point residue, not a wait.
  return deficit <= 1e-9 ? 0 : (deficit / state.fillRate) * 1000
}

/**
 * Reserves `amount` tokens and returns how long the caller must wait for them at the current rate. The debt is carried
 * as negative tokens and every reservation is numbered (`issued`; the reservation's ticket is `issued` after it), so
 * waiters are served in the order they reserved; a waiter re-estimates with {@link remainingWait} as the rate changes.
 * @internal
 */
export const reserve = (
  _limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  nowMillis: number,
  amount = 1
): readonly [number, AdaptiveLimiter.State] => {
  if (!state.enabled) return [0, state]
  const s = settle(refill(state, nowMillis / 1000))
  const next = { ...s, availableTokens: s.availableTokens - amount, issued: s.issued + amount }
  return [waitFor(next, next.issued), next]
}

/**
 * How much longer reservation number `ticket` must wait, at the rate in force now.
 * @internal
 */
export const remainingWait = (
  _limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  nowMillis: number,
  ticket: number
): readonly [number, AdaptiveLimiter.State] => {
  const s = settle(refill(state, nowMillis / 1000))
  return [waitFor(s, ticket), s]
}

/**
 * Gives back reservation `ticket`, which will not be used (its waiter was interrupted or ran out of time): every
 * reservation behind it moves up one place at once. Without a ticket, gives back the newest reservation.
 * @internal
 */
export const cancel = (state: AdaptiveLimiter.State, ticket?: number): AdaptiveLimiter.State => {
  const newest = ticket === undefined || ticket >= state.issued
  const covered = ticket !== undefined && placeOf(state, ticket) <= state.availableTokens + state.issued
  if (newest && !state.cancelled.includes(state.issued)) {
    // Nobody waits behind it: the number is free again and the token goes back.
    return {
      ...state,
      availableTokens: Math.min(state.maxCapacity, state.availableTokens + 1),
      issued: state.issued - 1
    }
  }
  if (covered) return { ...state, availableTokens: Math.min(state.maxCapacity, state.availableTokens + 1) }
  if (ticket === undefined || state.cancelled.includes(ticket)) return state
  return { ...state, cancelled: [...state.cancelled, ticket].sort((a, b) => a - b) }
}

/** @internal */
export const keyOf = (limiter: AdaptiveLimiter.AdaptiveLimiter, context: RetryPolicy.CallContext): string =>
  guardKey("limiter", limiter, context)

/** @internal */
export const recheckMillis = 250

// ---------------------------------------------------------------------------------------------------------------
// Fleet rate sharing: one limiter for many processes. The fleet runs this module's CUBIC controller on what every
// process reports — how many attempts it sent and whether it was throttled, over its report's interval — and each
// process sends at its share of the fleet's rate: the fleet's rate divided among the processes that reported lately.
// Two rules make the controller fit a fleet: the fleet measures its send rate exactly, as each process's attempts over
// its interval (the controller's own 0.5 s buckets would read 0 at the first throttle and drop the rate to its
// minimum); and throttles count once per decrease (an "epoch"): a process throttled at a rate the fleet has already
// lowered does not lower it again, as TCP counts one loss per window.

/** The fleet's record of a shared limiter: its state on the fleet's clock (seconds), decreases so far, senders. @internal */
export interface LimiterFleet {
  readonly state: AdaptiveLimiter.State
  readonly epoch: number
  /** Each process that reported lately: its send rate over its last interval and when it reported (ms). */
  readonly processes: Readonly<Record<string, { readonly rate: number; readonly seen: number }>>
}

/** What a process observed since its last report. @internal */
export interface LimiterDelta {
  readonly attempts: number
  readonly throttles: number
  /** The fleet decrease the process was sending under when it was throttled. */
  readonly epoch: number
}

/**
 * What one step fed the controller: an attempt's outcome (`update`), or nothing (a reservation, a re-estimate or a
 * cancellation). `update` always counts the attempt (`requestCount`) or closes a bucket, and a throttle always
 * records its instant and the rate it throttled at.
 * @internal
 */
export const observe = (
  before: AdaptiveLimiter.State,
  after: AdaptiveLimiter.State
): { readonly throttled: boolean } | undefined => {
  if (before === after) return undefined
  if (after.requestCount === before.requestCount && after.lastTxRateBucket === before.lastTxRateBucket) {
    return undefined
  }
  const throttled = after.lastThrottleTime !== before.lastThrottleTime || after.lastMaxRate !== before.lastMaxRate ||
    after.enabled !== before.enabled
  return { throttled }
}

/** Adds one observation to a delta; a throttle under a newer epoch replaces those under older ones. @internal */
export const addObservation = (
  delta: LimiterDelta | undefined,
  throttled: boolean,
  epoch: number
): LimiterDelta => {
  const base = delta === undefined || delta.epoch < epoch ?
    { attempts: delta?.attempts ?? 0, throttles: 0, epoch } :
    delta
  return { attempts: base.attempts + 1, throttles: base.throttles + (throttled ? 1 : 0), epoch: base.epoch }
}

/**
 * The fleet's merge of one process's report covering `[sinceMillis, nowMillis]` on the fleet's clock: processes not
 * heard from for `ttlMillis` are forgotten; the fleet's send rate is the sum of the processes' rates; a throttle under
 * the current epoch lowers the rate once (and opens a new epoch), and anything else lets it grow.
 * @internal
 */
export const mergeReport = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  fleet: LimiterFleet | undefined,
  process: string,
  delta: LimiterDelta | undefined,
  sinceMillis: number,
  nowMillis: number,
  ttlMillis: number
): LimiterFleet => {
  const base = fleet ?? { state: initial(limiter, nowMillis), epoch: 0, processes: {} }
  const processes: Record<string, { rate: number; seen: number }> = {}
  for (const [name, p] of Object.entries(base.processes)) {
    if (name !== process && nowMillis - p.seen <= ttlMillis) processes[name] = p
  }
  const attempts = delta?.attempts ?? 0
  // A report over less than a millisecond (a process's first, as it starts) measures nothing: its rate is unknown.
  const window = nowMillis - sinceMillis
  const rate = window < 1 ? Number.NaN : (attempts * 1000) / window
  processes[process] = { rate, seen: nowMillis }
  if (attempts === 0) return { ...base, processes }
  // The fleet's send rate: the sum of the known rates, each process whose rate is not known yet counted at their mean.
  let known = 0
  let sum = 0
  const all = Object.values(processes)
  for (const p of all) {
    if (Number.isFinite(p.rate)) {
      known++
      sum += p.rate
    }
  }
  const measured = known === 0 ? 0 : (sum / known) * all.length
  const now = nowMillis / 1000
  // The fleet measures its rate itself; the controller's bucket is kept current so that `update` does not re-measure.
  const measuredState: AdaptiveLimiter.State = {
    ...base.state,
    measuredTxRate: precise(measured),
    requestCount: 0,
    lastTxRateBucket: Math.floor(now * 2) / 2
  }
  const throttled = delta !== undefined && delta.throttles > 0 && delta.epoch === base.epoch
  return {
    state: update(limiter, measuredState, nowMillis, throttled),
    epoch: throttled ? base.epoch + 1 : base.epoch,
    processes
  }
}

/** How many processes share the fleet's rate. @internal */
export const sharers = (fleet: LimiterFleet): number => Math.max(1, Object.keys(fleet.processes).length)

/**
 * A process's limiter at its share of the fleet's (already on the process's clock): the fleet's rates divided among
 * the processes sharing it, with the process's own bucket, reservations and measurement kept.
 * @internal
 */
export const share = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  local: AdaptiveLimiter.State,
  fleet: LimiterFleet
): AdaptiveLimiter.State => {
  const n = sharers(fleet)
  const f = fleet.state
  const fillRate = f.fillRate / n
  const maxCapacity = Math.max(fillRate, limiter.minCapacity)
  return {
    ...local,
    enabled: f.enabled,
    fillRate,
    maxCapacity,
    availableTokens: Math.min(local.availableTokens, maxCapacity),
    lastMaxRate: f.lastMaxRate / n,
    measuredTxRate: f.measuredTxRate / n,
    lastThrottleTime: f.lastThrottleTime,
    timeWindow: f.timeWindow
  }
}

/** A state's instants moved by `deltaMillis` (from the fleet's clock to a process's, or back). @internal */
export const shift = (state: AdaptiveLimiter.State, deltaMillis: number): AdaptiveLimiter.State => {
  if (deltaMillis === 0) return state
  const d = deltaMillis / 1000
  return {
    ...state,
    lastThrottleTime: state.lastThrottleTime + d,
    lastTimestamp: state.lastTimestamp === undefined ? undefined : state.lastTimestamp + d,
    lastTxRateBucket: state.lastTxRateBucket + d
  }
}
