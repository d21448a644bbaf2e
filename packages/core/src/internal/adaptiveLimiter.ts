import type * as AdaptiveLimiter from "../AdaptiveLimiter.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { guardKey, processKey } from "./keys.js"
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
    learnFrom: oneOf(where, "learnFrom", options.learnFrom ?? "sendRate", ["sendRate", "admitted"]),
    windowMillis: validate.millis(where, "window", options.window ?? 1_000, { min: 1 }),
    share: oneOf(where, "share", options.share ?? "client", ["client", "process"]),
    key: options.key
  }
}

const oneOf = <A extends string>(where: string, field: string, value: A, allowed: ReadonlyArray<A>): A =>
  allowed.includes(value) ? value : validate.fail(where, field, value, allowed.map((a) => `"${a}"`).join(" or "))

/** The SDKs' constants. @internal */
export const aws = make({ name: "aws-adaptive" })

/** rebound's: learns the admitted rate, shared by the process. @internal */
export const rebound = make({ name: "rebound", learnFrom: "admitted", share: "process", beta: 0.95 })

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
    cancelled: [],
    windowStart: now,
    windowLast: now,
    windowSuccesses: 0,
    windowThrottles: 0,
    windowReset: false,
    admittedRate: 0,
    learning: false,
    recentSince: now,
    recentSuccesses: 0,
    windowAll: 0
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

/** The SDKs' measured send rate: requests per 0.5 s bucket, smoothed. */
const measureSendRate = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  now: number
): AdaptiveLimiter.State => {
  const s: AdaptiveLimiter.State = { ...state, requestCount: state.requestCount + 1 }
  const bucket = Math.floor(now * 2) / 2
  if (bucket <= s.lastTxRateBucket) return s
  const currentRate = s.requestCount / (bucket - s.lastTxRateBucket)
  return {
    ...s,
    measuredTxRate: precise(currentRate * limiter.smooth + s.measuredTxRate * (1 - limiter.smooth)),
    requestCount: 0,
    lastTxRateBucket: bucket
  }
}

/** Sets the rate to use after a throttle to `rateToUse`: the CUBIC curve restarts from it, `β` below it. */
const restart = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  now: number,
  rateToUse: number
): readonly [AdaptiveLimiter.State, number] => [
  {
    ...state,
    lastMaxRate: rateToUse,
    timeWindow: precise(Math.pow((rateToUse * (1 - limiter.beta)) / limiter.scaleConstant, 1 / 3)),
    lastThrottleTime: now,
    enabled: true
  },
  precise(rateToUse * limiter.beta)
]

/** The CUBIC curve through the last rate learned, `lastMaxRate`: C·(t − K)³ + lastMaxRate. */
const cubic = (limiter: AdaptiveLimiter.AdaptiveLimiter, state: AdaptiveLimiter.State, now: number) => {
  const s = {
    ...state,
    timeWindow: precise(Math.pow((state.lastMaxRate * (1 - limiter.beta)) / limiter.scaleConstant, 1 / 3))
  }
  return [
    s,
    precise(limiter.scaleConstant * Math.pow(now - s.lastThrottleTime - s.timeWindow, 3) + s.lastMaxRate)
  ] as const
}

const applyRate = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  now: number,
  newRate: number
): AdaptiveLimiter.State => {
  const s = refill(state, now)
  const fillRate = Math.max(newRate, limiter.minFillRate)
  const maxCapacity = Math.max(newRate, limiter.minCapacity)
  return { ...s, fillRate, maxCapacity, availableTokens: Math.min(s.availableTokens, maxCapacity) }
}

/** The SDKs' controller: a throttle restarts the curve from the measured send rate (or the fill rate, if lower). */
const updateFromSendRate = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  now: number,
  throttled: boolean
): AdaptiveLimiter.State => {
  let s = measureSendRate(limiter, state, now)
  let calculated: number
  if (throttled) {
    ;[s, calculated] = restart(limiter, s, now, s.enabled ? Math.min(s.measuredTxRate, s.fillRate) : s.measuredTxRate)
  } else {
    ;[s, calculated] = cubic(limiter, s, now)
  }
  return applyRate(limiter, s, now, Math.min(calculated, limiter.maxRateScale * s.measuredTxRate))
}

/**
 * rebound's controller: the rate the service admitted is measured over windows of `windowMillis` (successes per second,
 * counted from the window's start to its last response, at least a window long). A window that saw a throttle ends
 * with the curve restarting from the rate admitted in it — once per window, however many throttles it saw. Until the
 * first such window has closed the limiter is learning: from its first throttle it paces at the rate admitted so far
 * in the window, which cannot fall below what the service admits while callers over-send (it is that rate, plus the
 * burst that was in the bucket), so it damps the flood of a cold start without guessing low. Between throttles the
 * CUBIC curve grows the rate; the cap at `maxRateScale` × the measured send rate never pulls it below `β` × the rate
 * last learned, so a client that was idle starts again at what the service admitted, not at the floor.
 */
const updateFromAdmitted = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  now: number,
  outcome: Outcome,
  sentAt: number
): AdaptiveLimiter.State => {
  let s = measureSendRate(limiter, state, now)
  const window = limiter.windowMillis / 1000
  let calculated: number | undefined
  const roll = (from: AdaptiveLimiter.State): AdaptiveLimiter.State => ({
    ...from,
    recentSince: from.windowStart,
    recentSuccesses: from.windowAll,
    windowStart: now,
    windowLast: now,
    windowSuccesses: 0,
    windowAll: 0,
    windowThrottles: 0,
    windowReset: false
  })
  if (now - s.windowStart >= window) {
    const admitted = precise(s.windowSuccesses / Math.max(window, s.windowLast - s.windowStart))
    if (s.windowThrottles > 0 && !s.windowReset) {
      ;[s, calculated] = restart(limiter, s, now, admitted)
      s = { ...s, learning: false }
    }
    s = { ...roll(s), admittedRate: admitted }
  }
  if (outcome === "throttled" && !s.enabled) {
    // The first throttle: the burst the service had saved is spent, and what it admits from here on is its rate, so
    // the window that will measure it starts now.
    s = { ...roll(s), enabled: true, learning: true }
  }
  // A success counts for the rate of the window it was sent in: one sent before the window began says nothing of it.
  s = {
    ...s,
    windowLast: now,
    windowSuccesses: s.windowSuccesses + (outcome === "success" && sentAt >= s.windowStart ? 1 : 0),
    windowAll: s.windowAll + (outcome === "success" ? 1 : 0),
    windowThrottles: s.windowThrottles + (outcome === "throttled" ? 1 : 0)
  }
  if (
    outcome === "throttled" && s.enabled && !s.learning && !s.windowReset && calculated === undefined &&
    sentAt >= s.lastThrottleTime
  ) {
    // A throttle of an attempt sent after the last restart: the rate is too high again. (One sent before it is an
    // echo of the overshoot already answered.)
    ;[s, calculated] = restart(limiter, s, now, s.admittedRate)
    s = { ...s, windowReset: true }
  }
  if (!s.enabled) return s
  if (s.learning) {
    // Until the first window that saw a throttle closes, pace at the success rate over the last window or two, burst
    // included: while callers over-send it cannot fall below what the service admits.
    const successes = s.recentSuccesses + s.windowAll + 1
    return applyRate(limiter, s, now, precise(successes / Math.max(learningFloor, now - s.recentSince)))
  }
  if (calculated === undefined) [s, calculated] = cubic(limiter, s, now)
  const cap = Math.max(limiter.maxRateScale * s.measuredTxRate, limiter.beta * s.lastMaxRate)
  return applyRate(limiter, s, now, Math.min(calculated, cap))
}

/**
 * While learning, the success rate is taken over at least this long (seconds): the first responses after a cold start
 * arrive within a round trip, and a rate over a few milliseconds would not pace at all.
 */
const learningFloor = 0.1

/** What a response said, as the limiter counts it. @internal */
export type Outcome = "success" | "throttled" | "failed"

/** @internal */
export const update = (
  limiter: AdaptiveLimiter.AdaptiveLimiter,
  state: AdaptiveLimiter.State,
  nowMillis: number,
  throttled: boolean,
  succeeded = !throttled,
  sentAtMillis = nowMillis
): AdaptiveLimiter.State => {
  const now = nowMillis / 1000
  if (limiter.learnFrom === "sendRate") return updateFromSendRate(limiter, state, now, throttled)
  const outcome = throttled ? "throttled" : succeeded ? "success" : "failed"
  return updateFromAdmitted(limiter, state, now, outcome, sentAtMillis / 1000)
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
  limiter.share === "process" && limiter.key === undefined ?
    `limiter/${limiter.name}/${processKey(context)}` :
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
