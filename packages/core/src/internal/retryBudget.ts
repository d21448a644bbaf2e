import type * as RetryBudget from "../RetryBudget.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import { guardKey } from "./keys.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: RetryBudget.TypeId = Symbol.for("@rebound/core/RetryBudget") as RetryBudget.TypeId

/** @internal */
export const ratio = (options: RetryBudget.RatioOptions = {}): RetryBudget.RetryBudget => {
  const where = "RetryBudget.ratio"
  const windowMillis = validate.millis(where, "window", options.window ?? 10_000)
  if (windowMillis === 0) validate.fail(where, "window", options.window, "a duration > 0")
  return {
    [TypeId]: TypeId,
    _tag: "Ratio",
    name: options.name ?? "budget",
    ratio: validate.between(where, "ratio", options.ratio ?? 0.2, 0, 1),
    minRetriesPerSecond: validate.atLeast(where, "minRetriesPerSecond", options.minRetriesPerSecond ?? 10, 0),
    windowMillis,
    slots: validate.integer(where, "slots", options.slots ?? 10, 1),
    key: options.key
  }
}

/** @internal */
export const tokens = (options: RetryBudget.TokenOptions = {}): RetryBudget.RetryBudget => {
  const where = "RetryBudget.tokens"
  const maxTokens = validate.atLeast(where, "maxTokens", options.maxTokens ?? 10, 0, true)
  if (maxTokens > 1000) validate.fail(where, "maxTokens", maxTokens, "a number in (0, 1000]")
  return {
    [TypeId]: TypeId,
    _tag: "Tokens",
    name: options.name ?? "budget",
    maxTokens,
    tokenRatio: validate.atLeast(where, "tokenRatio", options.tokenRatio ?? 0.1, 0, true),
    key: options.key
  }
}

/** @internal */
export const initial = (budget: RetryBudget.RetryBudget, nowMillis: number): RetryBudget.State =>
  budget._tag === "Ratio" ?
    {
      _tag: "Ratio",
      slotStart: nowMillis,
      index: 0,
      requests: new Array<number>(budget.slots).fill(0),
      retries: new Array<number>(budget.slots).fill(0)
    } :
    { _tag: "Tokens", tokens: budget.maxTokens }

const rotate = (
  budget: RetryBudget.Ratio,
  state: RetryBudget.RatioState,
  nowMillis: number
): RetryBudget.RatioState => {
  const slotMillis = budget.windowMillis / budget.slots
  const passed = Math.floor((nowMillis - state.slotStart) / slotMillis)
  if (passed <= 0) return state
  const requests = state.requests.slice()
  const retries = state.retries.slice()
  const cleared = Math.min(passed, budget.slots)
  let index = state.index
  for (let i = 0; i < cleared; i++) {
    index = (index + 1) % budget.slots
    requests[index] = 0
    retries[index] = 0
  }
  if (passed > cleared) index = (state.index + passed) % budget.slots
  return { _tag: "Ratio", slotStart: state.slotStart + passed * slotMillis, index, requests, retries }
}

const bump = (xs: ReadonlyArray<number>, index: number): ReadonlyArray<number> => {
  const out = xs.slice()
  out[index] = (out[index] ?? 0) + 1
  return out
}

const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)

/** @internal */
export const onRequest = (
  budget: RetryBudget.RetryBudget,
  state: RetryBudget.State,
  nowMillis: number
): RetryBudget.State => {
  if (budget._tag === "Tokens" || state._tag === "Tokens") return state
  const s = rotate(budget, state, nowMillis)
  return { ...s, requests: bump(s.requests, s.index) }
}

/** @internal */
export const onOutcome = (
  budget: RetryBudget.RetryBudget,
  state: RetryBudget.State,
  succeeded: boolean
): RetryBudget.State => {
  if (budget._tag === "Ratio" || state._tag === "Ratio") return state
  // gRFC A6 keeps tokens to three decimals, so long runs of successes do not drift.
  const tokens = succeeded ?
    Math.min(budget.maxTokens, Math.round((state.tokens + budget.tokenRatio) * 1000) / 1000) :
    Math.max(0, state.tokens - 1)
  return { _tag: "Tokens", tokens }
}

/** @internal */
export const tryRetry = (
  budget: RetryBudget.RetryBudget,
  state: RetryBudget.State,
  nowMillis: number
): readonly [boolean, RetryBudget.State] => {
  if (budget._tag === "Tokens" || state._tag === "Tokens") {
    const tokens = state._tag === "Tokens" ? state.tokens : 0
    return [budget._tag === "Tokens" && tokens > budget.maxTokens / 2, state]
  }
  const s = rotate(budget, state, nowMillis)
  const allowance = budget.ratio * sum(s.requests) + budget.minRetriesPerSecond * (budget.windowMillis / 1000)
  if (sum(s.retries) + 1 > allowance) return [false, s]
  return [true, { ...s, retries: bump(s.retries, s.index) }]
}

/** What is left: retries still allowed in the window, or tokens above the half-way line. @internal */
export const remaining = (budget: RetryBudget.RetryBudget, state: RetryBudget.State): number => {
  if (budget._tag === "Tokens" || state._tag === "Tokens") {
    return state._tag === "Tokens" && budget._tag === "Tokens" ? state.tokens - budget.maxTokens / 2 : 0
  }
  return budget.ratio * sum(state.requests) + budget.minRetriesPerSecond * (budget.windowMillis / 1000) -
    sum(state.retries)
}

/** @internal */
export const keyOf = (budget: RetryBudget.RetryBudget, context: RetryPolicy.CallContext): string =>
  guardKey("budget", budget, context)

// ---------------------------------------------------------------------------------------------------------------
// Fleet merging: one budget shared by many processes, by deltas. Each process counts what its own steps added (requests
// and retries in a ratio budget's window, the change of a token budget's level) and reports it at each sync; the fleet
// adds every process's delta to its state, and a process then takes the fleet's state plus what it added since it
// reported. Between syncs a process decides on the fleet's state as it last saw it and its own steps since: the fleet
// can overspend by what the other processes spend in one sync interval.

/** What a process's steps added to a budget since its last report. @internal */
export type BudgetDelta =
  | { readonly _tag: "Ratio"; readonly requests: number; readonly retries: number }
  | { readonly _tag: "Tokens"; readonly tokens: number }

/** What one step changed: `undefined` when nothing. @internal */
export const observe = (
  budget: RetryBudget.RetryBudget,
  before: RetryBudget.State,
  after: RetryBudget.State
): BudgetDelta | undefined => {
  if (before === after) return undefined
  if (before._tag === "Tokens" || after._tag === "Tokens" || budget._tag === "Tokens") {
    const change = (after._tag === "Tokens" ? after.tokens : 0) - (before._tag === "Tokens" ? before.tokens : 0)
    return change === 0 ? undefined : { _tag: "Tokens", tokens: change }
  }
  // The step may have moved the window on: compare against the state before, moved on to the same slot.
  const moved = rotate(budget, before, after.slotStart)
  const requests = sum(after.requests) - sum(moved.requests)
  const retries = sum(after.retries) - sum(moved.retries)
  return requests === 0 && retries === 0 ? undefined : { _tag: "Ratio", requests, retries }
}

/** Two deltas as one. @internal */
export const combine = (a: BudgetDelta | undefined, b: BudgetDelta | undefined): BudgetDelta | undefined => {
  if (a === undefined) return b
  if (b === undefined) return a
  if (a._tag === "Tokens" && b._tag === "Tokens") return { _tag: "Tokens", tokens: a.tokens + b.tokens }
  if (a._tag === "Ratio" && b._tag === "Ratio") {
    return { _tag: "Ratio", requests: a.requests + b.requests, retries: a.retries + b.retries }
  }
  return b
}

/** A state with a delta added at `nowMillis` (into the current slot of a ratio budget's window). @internal */
export const applyDelta = (
  budget: RetryBudget.RetryBudget,
  state: RetryBudget.State,
  delta: BudgetDelta | undefined,
  nowMillis: number
): RetryBudget.State => {
  if (budget._tag === "Tokens" || state._tag === "Tokens") {
    if (delta?._tag !== "Tokens" || state._tag !== "Tokens" || budget._tag !== "Tokens") return state
    const tokens = Math.round((state.tokens + delta.tokens) * 1000) / 1000
    return { _tag: "Tokens", tokens: Math.max(0, Math.min(budget.maxTokens, tokens)) }
  }
  const s = rotate(budget, state, nowMillis)
  if (delta?._tag !== "Ratio") return s
  const requests = s.requests.slice()
  const retries = s.retries.slice()
  requests[s.index] = (requests[s.index] ?? 0) + delta.requests
  retries[s.index] = (retries[s.index] ?? 0) + delta.retries
  return { ...s, requests, retries }
}

/** The fleet's merge of one process's report: its delta added to the fleet's state (fresh if absent). @internal */
export const mergeDelta = (
  budget: RetryBudget.RetryBudget,
  fleet: RetryBudget.State | undefined,
  delta: BudgetDelta | undefined,
  nowMillis: number
): RetryBudget.State => applyDelta(budget, fleet ?? initial(budget, nowMillis), delta, nowMillis)

/** A state's instants moved by `deltaMillis` (from the fleet's clock to a process's, or back). @internal */
export const shift = (state: RetryBudget.State, deltaMillis: number): RetryBudget.State =>
  state._tag === "Ratio" && deltaMillis !== 0 ? { ...state, slotStart: state.slotStart + deltaMillis } : state
