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
