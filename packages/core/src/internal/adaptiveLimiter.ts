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
