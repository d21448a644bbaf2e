import type * as CallError from "../CallError.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { guardKey } from "./keys.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: CircuitBreaker.TypeId = Symbol.for("@rebound/core/CircuitBreaker") as CircuitBreaker.TypeId

const classes: ReadonlyArray<CallError.FailureClass> = ["throttling", "transient", "fatal"]

const common = (where: string, options: CircuitBreaker.CommonOptions) => {
  const counts = options.counts ?? ["throttling", "transient"]
  for (const c of counts) {
    if (!classes.includes(c)) validate.fail(where, "counts", counts, `a list of ${classes.join(", ")}`)
  }
  return {
    [TypeId]: TypeId,
    name: options.name ?? "breaker",
    breakMillis: validate.millis(where, "breakDuration", options.breakDuration ?? 5_000),
    halfOpenProbes: validate.integer(where, "halfOpenProbes", options.halfOpenProbes ?? 1, 1),
    probeTimeoutMillis: validate.millis(where, "probeTimeout", options.probeTimeout ?? 10_000),
    counts,
    key: options.key
  } as const
}

/** @internal */
export const consecutive = (options: CircuitBreaker.ConsecutiveOptions = {}): CircuitBreaker.CircuitBreaker => {
  const where = "CircuitBreaker.consecutive"
  return {
    ...common(where, options),
    trip: { _tag: "Consecutive", threshold: validate.integer(where, "threshold", options.threshold ?? 5, 1) }
  }
}

/** @internal */
export const sampling = (options: CircuitBreaker.SamplingOptions = {}): CircuitBreaker.CircuitBreaker => {
  const where = "CircuitBreaker.sampling"
  const windowMillis = validate.millis(where, "window", options.window ?? 30_000)
  if (windowMillis === 0) validate.fail(where, "window", options.window, "a duration > 0")
  return {
    ...common(where, options),
    trip: {
      _tag: "Sampling",
      failureRatio: validate.between(where, "failureRatio", options.failureRatio ?? 0.1, 0, 1),
      minimumThroughput: validate.integer(where, "minimumThroughput", options.minimumThroughput ?? 100, 1),
      windowMillis,
      slots: validate.integer(where, "slots", options.slots ?? 10, 1)
    }
  }
}

const emptyWindow = (slots: number, now: number): CircuitBreaker.Window => ({
  slotStart: now,
  index: 0,
  successes: new Array<number>(slots).fill(0),
  failures: new Array<number>(slots).fill(0)
})

const closed = (breaker: CircuitBreaker.CircuitBreaker, now: number): CircuitBreaker.State => ({
  _tag: "Closed",
  consecutive: 0,
  window: breaker.trip._tag === "Sampling" ? emptyWindow(breaker.trip.slots, now) : undefined
})

/** @internal */
export const initial: (breaker: CircuitBreaker.CircuitBreaker, nowMillis: number) => CircuitBreaker.State = closed

const rotate = (trip: CircuitBreaker.Sampling, w: CircuitBreaker.Window, now: number): CircuitBreaker.Window => {
  const slotMillis = trip.windowMillis / trip.slots
  const passed = Math.floor((now - w.slotStart) / slotMillis)
  if (passed <= 0) return w
  if (passed >= trip.slots) return { ...emptyWindow(trip.slots, w.slotStart + passed * slotMillis), index: 0 }
  const successes = w.successes.slice()
  const failures = w.failures.slice()
  let index = w.index
  for (let i = 0; i < passed; i++) {
    index = (index + 1) % trip.slots
    successes[index] = 0
    failures[index] = 0
  }
  return { slotStart: w.slotStart + passed * slotMillis, index, successes, failures }
}

const probeAdmitted: CircuitBreaker.Admission = { _tag: "Allowed", probe: true }

/** @internal */
export const admit = (
  breaker: CircuitBreaker.CircuitBreaker,
  state: CircuitBreaker.State,
  nowMillis: number
): readonly [CircuitBreaker.Admission, CircuitBreaker.State] => {
  switch (state._tag) {
    case "Closed":
      return [{ _tag: "Allowed", probe: false }, state]
    case "Open":
      if (nowMillis < state.until) return [{ _tag: "Rejected", retryAfterMillis: state.until - nowMillis }, state]
      return [probeAdmitted, { _tag: "HalfOpen", probes: 1, leaseUntil: nowMillis + breaker.probeTimeoutMillis }]
    case "HalfOpen":
      if (state.probes < breaker.halfOpenProbes) {
        return [probeAdmitted, {
          _tag: "HalfOpen",
          probes: state.probes + 1,
          leaseUntil: nowMillis + breaker.probeTimeoutMillis
        }]
      }
      // Every place is held by a probe that has not reported for a whole lease: presume it lost, start again.
      if (nowMillis >= state.leaseUntil) {
        return [probeAdmitted, { _tag: "HalfOpen", probes: 1, leaseUntil: nowMillis + breaker.probeTimeoutMillis }]
      }
      return [{ _tag: "Rejected", retryAfterMillis: state.leaseUntil - nowMillis }, state]
  }
}

/** @internal */
export const record = (
  breaker: CircuitBreaker.CircuitBreaker,
  state: CircuitBreaker.State,
  nowMillis: number,
  outcome: "success" | CallError.FailureClass,
  probe: boolean
): CircuitBreaker.State => {
  // A failure that does not count (by default a fatal one) says the service answered: it counts as a success.
  const failed = outcome !== "success" && breaker.counts.includes(outcome)
  switch (state._tag) {
    case "Open":
      return state
    case "HalfOpen":
      if (!probe) return state
      return failed
        ? { _tag: "Open", openedAt: nowMillis, until: nowMillis + breaker.breakMillis }
        : closed(breaker, nowMillis)
    case "Closed": {
      const consecutive = failed ? state.consecutive + 1 : 0
      let window = state.window
      if (breaker.trip._tag === "Sampling" && window !== undefined) {
        window = rotate(breaker.trip, window, nowMillis)
        const bucket = (failed ? window.failures : window.successes).slice()
        bucket[window.index] = (bucket[window.index] ?? 0) + 1
        window = failed ? { ...window, failures: bucket } : { ...window, successes: bucket }
      }
      if (failed && tripped(breaker, consecutive, window)) {
        return { _tag: "Open", openedAt: nowMillis, until: nowMillis + breaker.breakMillis }
      }
      return { _tag: "Closed", consecutive, window }
    }
  }
}

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)

const tripped = (
  breaker: CircuitBreaker.CircuitBreaker,
  consecutive: number,
  window: CircuitBreaker.Window | undefined
): boolean => {
  if (breaker.trip._tag === "Consecutive") return consecutive >= breaker.trip.threshold
  if (window === undefined) return false
  const failures = sum(window.failures)
  const total = failures + sum(window.successes)
  return total >= breaker.trip.minimumThroughput && failures / total >= breaker.trip.failureRatio
}

/** A probe that ended without an outcome (its fiber was interrupted) frees its place. @internal */
export const release = (state: CircuitBreaker.State, probe: boolean): CircuitBreaker.State =>
  probe && state._tag === "HalfOpen" ? { ...state, probes: Math.max(0, state.probes - 1) } : state

/** @internal */
export const keyOf = (breaker: CircuitBreaker.CircuitBreaker, context: RetryPolicy.CallContext): string =>
  guardKey("breaker", breaker, context)

// ---------------------------------------------------------------------------------------------------------------
// Fleet merging: one breaker state for many processes. Each process trips, probes and closes its own breaker as
// always; the latest transition anywhere becomes the fleet's state, and every process adopts it at its next sync. So
// one process's trip opens the breaker for the fleet, a probe admitted by one process (the fleet goes half-open) holds
// the others back, and its success closes the breaker everywhere.

/** The fleet's record of a shared breaker: its state on the fleet's clock, and when it last changed. @internal */
export interface BreakerFleet {
  readonly state: CircuitBreaker.State
  readonly changedAt: number
}

/** Whether a step changed the breaker's state (Closed, Open, HalfOpen). @internal */
export const transitioned = (before: CircuitBreaker.State, after: CircuitBreaker.State): boolean =>
  before._tag !== after._tag

/** A state's instants moved by `deltaMillis` (from the fleet's clock to a process's, or back). @internal */
export const shift = (state: CircuitBreaker.State, deltaMillis: number): CircuitBreaker.State => {
  if (deltaMillis === 0) return state
  switch (state._tag) {
    case "Open":
      return { ...state, openedAt: state.openedAt + deltaMillis, until: state.until + deltaMillis }
    case "HalfOpen":
      return { ...state, leaseUntil: state.leaseUntil + deltaMillis }
    case "Closed":
      return state.window === undefined ?
        state :
        { ...state, window: { ...state.window, slotStart: state.window.slotStart + deltaMillis } }
  }
}

/**
 * The fleet's merge of one process's latest transition (`changedAt` on the fleet's clock): the later transition wins.
 * @internal
 */
export const mergeState = (
  fleet: BreakerFleet | undefined,
  state: CircuitBreaker.State,
  changedAt: number
): BreakerFleet => fleet === undefined || changedAt >= fleet.changedAt ? { state, changedAt } : fleet

/**
 * A process adopting the fleet's state (already on its own clock). A process whose breaker changed since its report
 * keeps its own (it reports it next). A fleet that is half-open is adopted with every probe place taken: the process
 * that admitted the probe holds it, and the others wait for its outcome.
 * @internal
 */
export const adoptState = (
  breaker: CircuitBreaker.CircuitBreaker,
  local: CircuitBreaker.State,
  fleet: CircuitBreaker.State,
  changedSinceReport: boolean,
  nowMillis: number
): CircuitBreaker.State => {
  if (changedSinceReport || local._tag === fleet._tag) return local
  switch (fleet._tag) {
    case "Closed":
      return closed(breaker, nowMillis)
    case "Open":
      return fleet
    case "HalfOpen":
      return { _tag: "HalfOpen", probes: breaker.halfOpenProbes, leaseUntil: fleet.leaseUntil }
  }
}
