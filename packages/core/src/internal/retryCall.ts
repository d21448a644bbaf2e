import * as Duration from "effect/Duration"
import type * as AdaptiveLimiter from "../AdaptiveLimiter.js"
import type * as CallError from "../CallError.js"
import { TransientError } from "../CallError.js"
import type * as CircuitBreaker from "../CircuitBreaker.js"
import type * as Hedging from "../Hedging.js"
import type * as RetryBudget from "../RetryBudget.js"
import type * as RetryCall from "../RetryCall.js"
import type * as RetryDecision from "../RetryDecision.js"
import type { RetryEvent as Event } from "../RetryEvent.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type * as StateStore from "../StateStore.js"
import * as limiterMachine from "./adaptiveLimiter.js"
import { withRetries } from "./callError.js"
import * as breakerMachine from "./circuitBreaker.js"
import * as hedgeMachine from "./hedging.js"
import * as budgetMachine from "./retryBudget.js"
import * as decision from "./retryDecision.js"
import { failureInfo, RetryEvent } from "./retryEvent.js"
import * as quotaMachine from "./retryQuota.js"

const noKeys: RetryCall.Keys = {
  breaker: undefined,
  limiter: undefined,
  budget: undefined,
  quota: undefined,
  hedge: undefined
}

/** @internal */
export const noGuards: RetryCall.Guards = {
  breaker: undefined,
  limiter: undefined,
  budget: undefined,
  quota: undefined,
  hedge: undefined
}

/** The guard a policy carries for a kind (the hedge budget is its `hedging`). @internal */
export const guardOf = (policy: RetryPolicy.RetryPolicy, kind: RetryCall.GuardKind): StateStore.Guard | undefined =>
  kind === "hedge" ? policy.hedging : policy[kind]

/** @internal */
export const guardKinds: ReadonlyArray<RetryCall.GuardKind> = ["breaker", "limiter", "budget", "quota", "hedge"]

const noCopies: ReadonlyArray<number> = []

/** @internal */
export const keysOf = (policy: RetryPolicy.RetryPolicy, context: RetryPolicy.CallContext): RetryCall.Keys => {
  const { breaker, budget, hedging, limiter, quota } = policy
  if (
    breaker === undefined && budget === undefined && limiter === undefined && quota === undefined &&
    hedging === undefined
  ) return noKeys
  return {
    breaker: breaker === undefined ? undefined : breakerMachine.keyOf(breaker, context),
    limiter: limiter === undefined ? undefined : limiterMachine.keyOf(limiter, context),
    budget: budget === undefined ? undefined : budgetMachine.keyOf(budget, context),
    quota: quota === undefined ? undefined : quotaMachine.keyOf(quota, context),
    hedge: hedging === undefined ? undefined : hedgeMachine.keyOf(hedging, context)
  }
}

/** @internal */
export const start = (options: RetryCall.StartOptions): RetryCall.Call => {
  const keys = options.bypassGuards === true ? noKeys : keysOf(options.policy, options.context)
  return {
    policy: options.policy,
    context: options.context,
    idempotent: options.idempotent,
    keys,
    guarded: keys !== noKeys,
    info: options.info,
    startedAt: options.now,
    phase: "New",
    retry: decision.initialState,
    probe: false,
    ticket: undefined,
    waitingSince: options.now,
    sentAt: options.now,
    lastRetryCost: undefined,
    lastError: undefined,
    latencyMillis: options.latencyMillis,
    copies: noCopies,
    hedges: 0,
    hedgeCost: 0
  }
}

/** The guard states a call's keys need, fresh: each starts at the instant of the call that first uses it. @internal */
export const initialGuard = (
  policy: RetryPolicy.RetryPolicy,
  kind: RetryCall.GuardKind,
  nowMillis: number
): unknown => {
  switch (kind) {
    case "breaker":
      return breakerMachine.initial(policy.breaker!, nowMillis)
    case "limiter":
      return limiterMachine.initial(policy.limiter!, nowMillis)
    case "budget":
      return budgetMachine.initial(policy.budget!, nowMillis)
    case "quota":
      return policy.quota!.capacity
    case "hedge":
      return hedgeMachine.initial(policy.hedging!, nowMillis)
  }
}

/** @internal */
export const touchesGuards = (call: RetryCall.Call, input: RetryCall.Input): boolean =>
  call.guarded && call.phase !== "Done" && (input._tag !== "Release" || call.probe || call.ticket !== undefined)

/** A step's result, built up as the step runs. */
class Stepper {
  guards: RetryCall.Guards
  call: RetryCall.Call
  readonly events: Array<Event> | undefined
  constructor(call: RetryCall.Call, guards: RetryCall.Guards) {
    this.call = call
    this.guards = guards
    this.events = call.info === undefined ? undefined : []
  }
  emit(event: () => Event): void {
    this.events?.push(event())
  }
  done(output: RetryCall.Output): RetryCall.Result {
    return { call: this.call, guards: this.guards, output, events: this.events ?? none }
  }

  breaker(f: (b: CircuitBreaker.CircuitBreaker, s: CircuitBreaker.State) => CircuitBreaker.State, at: number) {
    const breaker = this.call.policy.breaker
    const before = this.guards.breaker
    if (breaker === undefined || before === undefined) return
    const after = f(breaker, before)
    if (after === before) return
    this.guards = { ...this.guards, breaker: after }
    if (before._tag !== after._tag) {
      this.emit(() =>
        RetryEvent.BreakerStateChanged({ key: this.call.keys.breaker!, from: before._tag, to: after._tag, at })
      )
    }
  }
  limiter(f: (l: AdaptiveLimiter.AdaptiveLimiter, s: AdaptiveLimiter.State) => AdaptiveLimiter.State, at: number) {
    const limiter = this.call.policy.limiter
    const before = this.guards.limiter
    if (limiter === undefined || before === undefined) return
    const after = f(limiter, before)
    this.guards = { ...this.guards, limiter: after }
    if (before.fillRate !== after.fillRate || before.enabled !== after.enabled) {
      this.emit(() =>
        RetryEvent.LimiterRateChanged({
          key: this.call.keys.limiter!,
          enabled: after.enabled,
          fillRate: after.fillRate,
          measuredTxRate: after.measuredTxRate,
          at
        })
      )
    }
  }
  budget(f: (b: RetryBudget.RetryBudget, s: RetryBudget.State) => RetryBudget.State) {
    const budget = this.call.policy.budget
    const before = this.guards.budget
    if (budget === undefined || before === undefined) return
    this.guards = { ...this.guards, budget: f(budget, before) }
  }
  hedge(f: (h: Hedging.Hedging, s: Hedging.State) => Hedging.State) {
    const hedging = this.call.policy.hedging
    const before = this.guards.hedge
    if (hedging === undefined || before === undefined) return
    const after = f(hedging, before)
    if (after !== before) this.guards = { ...this.guards, hedge: after }
  }
  quota(tokens: number, at: number) {
    const quota = this.call.policy.quota
    const before = this.guards.quota
    if (quota === undefined || before === undefined || before === tokens) return
    this.guards = { ...this.guards, quota: tokens }
    this.emit(() =>
      RetryEvent.QuotaChanged({
        key: this.call.keys.quota!,
        tokens,
        capacity: quota.capacity,
        delta: tokens - before,
        at
      })
    )
  }
}

const none: ReadonlyArray<Event> = []

const summaryOf = (call: RetryCall.Call, now: number, stopReason: CallError.StopReason): CallError.RetrySummary => ({
  attempts: call.retry.attempts,
  totalDelay: Duration.millis(call.retry.totalDelayMillis),
  elapsed: Duration.millis(now - call.startedAt),
  stopReason,
  policy: call.policy.name
})

const failFast = (
  context: RetryPolicy.CallContext,
  code: string,
  detail: string,
  retryAfterMillis: number | undefined
): CallError.CallError =>
  new TransientError({
    service: context.service,
    operation: context.operation,
    code,
    detail,
    reason: "unknown",
    ambiguous: false,
    retryAfter: retryAfterMillis === undefined ? undefined : Duration.millis(retryAfterMillis),
    resource: context.resource
  })

/** @internal */
export const circuitOpenError = (context: RetryPolicy.CallContext, retryAfterMillis: number): CallError.CallError =>
  failFast(
    context,
    "CircuitOpen",
    "the circuit breaker is open, so the call failed fast without reaching the service",
    retryAfterMillis
  )

/** @internal */
export const rateLimitedError = (context: RetryPolicy.CallContext, waitMillis: number): CallError.CallError =>
  failFast(
    context,
    "ClientRateLimited",
    `the client-side rate limiter would have held the attempt for ${
      Math.ceil(waitMillis)
    } ms, past the call's time budget, so it was not sent`,
    waitMillis
  )

const stop = (
  step: Stepper,
  error: CallError.CallError,
  now: number,
  stopReason: CallError.StopReason,
  cancelled: ReadonlyArray<number> = noCopies
): RetryCall.Result => {
  const call = step.call
  step.call = { ...call, phase: "Done", probe: false, ticket: undefined, copies: noCopies }
  cancelCopies(step, call, cancelled, now)
  step.emit(() =>
    RetryEvent.RetriesStopped({
      call: call.info!,
      attempts: call.retry.attempts,
      totalDelayMillis: call.retry.totalDelayMillis,
      elapsedMillis: now - call.startedAt,
      stopReason,
      failure: failureInfo(error),
      at: now
    })
  )
  const summary = summaryOf(call, now, stopReason)
  return step.done(
    cancelled.length === 0 ?
      { _tag: "Stop", reason: stopReason, failure: error, summary } :
      { _tag: "Stop", reason: stopReason, failure: error, summary, cancelled }
  )
}

const cancelCopies = (step: Stepper, call: RetryCall.Call, cancelled: ReadonlyArray<number>, at: number) => {
  for (const copy of cancelled) {
    step.emit(() => RetryEvent.HedgeCancelled({ call: call.info!, attempt: call.retry.attempts + 1, copy, at }))
  }
}

/** Gives back what the call holds: a half-open probe's place and a limiter reservation. */
const giveBack = (step: Stepper, at: number) => {
  const { probe, ticket } = step.call
  if (probe) step.breaker((_b, s) => breakerMachine.release(s, true), at)
  if (ticket !== undefined) step.limiter((_l, s) => limiterMachine.cancel(s, ticket), at)
  step.call = { ...step.call, probe: false, ticket: undefined }
}

/**
 * Whether the call's attempts may be hedged: its policy hedges, it is idempotent (the call's option, else the
 * policy's), it has a hedge budget key (a cleanup call has none) and hedges left.
 */
const mayHedge = (call: RetryCall.Call): boolean => {
  const hedging = call.policy.hedging
  return hedging !== undefined && call.keys.hedge !== undefined && (call.idempotent ?? call.policy.idempotent) &&
    call.hedges < hedging.maxHedged
}

/** The attempt is on its way: `waited` is how long it waited for the limiter, `at` when it is sent. */
const started = (
  step: Stepper,
  attempt: number,
  waited: number,
  at: number,
  probe: boolean = step.call.probe
): RetryCall.Result => {
  const call = step.call
  const hedged = mayHedge(call)
  step.call = {
    ...call,
    phase: "Attempting",
    probe,
    ticket: undefined,
    sentAt: at,
    retry: decision.advanceBy(call.retry, waited),
    copies: hedged ? firstCopy : noCopies
  }
  if (waited > 0) {
    step.emit(() => RetryEvent.AttemptDelayed({ call: call.info!, attempt, waitMillis: waited, reason: "limiter", at }))
  }
  step.emit(() => RetryEvent.AttemptStarted({ call: call.info!, attempt, at }))
  return step.done(
    hedged ?
      {
        _tag: "Proceed",
        attempt,
        waitMillis: waited,
        hedgeAfterMillis: hedgeMachine.delayMillis(call.policy.hedging!, call.latencyMillis)
      } :
      { _tag: "Proceed", attempt, waitMillis: waited }
  )
}

const firstCopy: ReadonlyArray<number> = [0]

const pending: RetryCall.Output = { _tag: "Pending" }

/** The hedge delay of `attempt` passed: start a copy, or say why not. */
const hedge = (step: Stepper, now: number, attempt: number): RetryCall.Result => {
  const call = step.call
  const hedging = call.policy.hedging
  // A late timer (the attempt already settled, or a later attempt is in flight) or no hedges left: nothing to do.
  if (
    hedging === undefined || call.phase !== "Attempting" || call.copies.length === 0 ||
    attempt !== call.retry.attempts + 1 || call.hedges >= hedging.maxHedged || step.guards.hedge === undefined
  ) return step.done(pending)
  const delayMillis = hedgeMachine.delayMillis(hedging, call.latencyMillis)
  const skip = (reason: Hedging.SkipReason) => {
    step.emit(() => RetryEvent.HedgeSkipped({ call: call.info!, attempt, reason, at: now }))
    // An empty bucket refills as calls pass: ask again one delay later. A burst of hedges (a latency spike every call
    // sees) empties it, and a slow request whose delay ran out just then still deserves its hedge.
    return step.done(
      reason === "budget" && delayMillis > 0 ? { _tag: "Pending", hedgeAfterMillis: delayMillis } : pending
    )
  }
  // Hedges share the call's time budget, pause while the resource throttles or its breaker is not closed, and must
  // fit in the hedge budget and the retry quota.
  if (now - call.startedAt >= call.policy.maxElapsedMillis) return skip("maxElapsed")
  if (step.guards.breaker !== undefined && step.guards.breaker._tag !== "Closed") return skip("breaker")
  const [refused, next] = hedgeMachine.tryHedge(hedging, step.guards.hedge, now)
  if (refused !== undefined) return skip(refused)
  // A hedge costs what a transient retry does; the quota is spent last, once everything else said yes.
  const quota = call.policy.quota
  let left: number | undefined
  if (quota !== undefined && step.guards.quota !== undefined) {
    left = quotaMachine.withdraw(quota, step.guards.quota, quota.retryCost)
    if (left === undefined) return skip("quota")
  }
  step.hedge(() => next)
  let hedgeCost = call.hedgeCost
  if (left !== undefined) {
    hedgeCost += step.guards.quota! - left
    step.quota(left, now)
  }
  const copy = call.hedges + 1
  step.call = { ...call, hedges: copy, hedgeCost, copies: [...call.copies, copy] }
  step.emit(() => RetryEvent.HedgeStarted({ call: call.info!, attempt, hedge: copy, delayMillis, at: now }))
  return step.done({
    _tag: "Hedge",
    attempt,
    copy,
    hedgeAfterMillis: copy < hedging.maxHedged ? delayMillis : undefined
  })
}

/** A limiter wait that would end past the time budget stops the call before it is sent. */
const pastBudget = (call: RetryCall.Call, sendAt: number): boolean =>
  sendAt - call.startedAt > call.policy.maxElapsedMillis

const admit = (step: Stepper, now: number, afterMillis: number, commit: boolean): RetryCall.Result => {
  let call = step.call
  if (call.phase === "New") {
    step.budget((b, s) => budgetMachine.onRequest(b, s, now))
    step.hedge(hedgeMachine.deposit)
  }
  const attempt = call.retry.attempts + 1
  let probe = false
  if (step.guards.breaker !== undefined) {
    const [admission, next] = breakerMachine.admit(call.policy.breaker!, step.guards.breaker, now)
    step.breaker(() => next, now)
    if (admission._tag === "Rejected") {
      step.call = { ...call, phase: "Done" }
      return stop(
        step,
        call.lastError ?? circuitOpenError(call.context, admission.retryAfterMillis),
        now,
        "circuitOpen"
      )
    }
    probe = admission.probe
  }
  const at = now + afterMillis
  // Without a limiter the attempt starts at once: one new state for the call, not two.
  if (step.guards.limiter === undefined) return started(step, attempt, 0, at, probe)
  call = { ...call, phase: "Admitting", probe }
  step.call = call
  const [waitMillis, reserved] = limiterMachine.reserve(call.policy.limiter!, step.guards.limiter, at)
  step.limiter(() => reserved, at)
  if (waitMillis <= 0) return started(step, attempt, 0, at)
  step.call = { ...call, ticket: reserved.issued, waitingSince: at }
  if (pastBudget(call, at + waitMillis)) {
    giveBack(step, now)
    return stop(step, call.lastError ?? rateLimitedError(call.context, waitMillis), now, "maxElapsed")
  }
  // A shell that sleeps on its own sends after the wait it was told; the interpreter waits and re-estimates.
  if (commit) return started(step, attempt, waitMillis, at + waitMillis)
  step.call = { ...step.call, phase: "Waiting" }
  return step.done({ _tag: "Wait", waitMillis })
}

const recheck = (step: Stepper, now: number): RetryCall.Result => {
  const call = step.call
  if (call.phase !== "Waiting" || call.ticket === undefined || step.guards.limiter === undefined) {
    return started(step, call.retry.attempts + 1, Math.max(0, now - call.waitingSince), now)
  }
  const [waitMillis, next] = limiterMachine.remainingWait(call.policy.limiter!, step.guards.limiter, now, call.ticket)
  step.limiter(() => next, now)
  if (waitMillis <= 0) return started(step, call.retry.attempts + 1, now - call.waitingSince, now)
  if (pastBudget(call, now + waitMillis)) {
    giveBack(step, now)
    return stop(step, call.lastError ?? rateLimitedError(call.context, waitMillis), now, "maxElapsed")
  }
  return step.done({ _tag: "Wait", waitMillis })
}

const succeeded = (step: Stepper, now: number, copy: number): RetryCall.Result => {
  const call = step.call
  const retry = decision.attempted(call.retry)
  const hedged = call.copies.length > 0
  const cancelled = hedged ? call.copies.filter((c) => c !== copy) : noCopies
  step.breaker((b, s) => breakerMachine.record(b, s, now, "success", call.probe && copy === 0), now)
  step.limiter((l, s) => limiterMachine.update(l, s, now, false, true, call.sentAt), now)
  step.budget((b, s) => budgetMachine.onOutcome(b, s, true))
  const quota = call.policy.quota
  if (quota !== undefined && step.guards.quota !== undefined) {
    // A call that succeeded gives back its last retry's cost, and what its hedges cost.
    const refunded = quotaMachine.refund(quota, step.guards.quota, call.lastRetryCost)
    step.quota(Math.min(quota.capacity, refunded + call.hedgeCost), now)
  }
  step.call = { ...call, retry, phase: "Done", probe: false, copies: noCopies }
  if (copy > 0) {
    step.emit(() => RetryEvent.HedgeWon({ call: call.info!, attempt: retry.attempts, hedge: copy, at: now }))
  }
  cancelCopies(step, call, cancelled, now)
  step.emit(() =>
    RetryEvent.Succeeded({
      call: call.info!,
      attempts: retry.attempts,
      totalDelayMillis: retry.totalDelayMillis,
      elapsedMillis: now - call.startedAt,
      at: now
    })
  )
  const summary: CallError.CallSummary = {
    attempts: retry.attempts,
    totalDelay: Duration.millis(retry.totalDelayMillis),
    elapsed: Duration.millis(now - call.startedAt),
    policy: call.policy.name
  }
  if (!hedged) return step.done({ _tag: "Succeeded", summary })
  // The attempt's own latency when it won; when a hedge won, how long the attempt had run — a lower bound, above the
  // hedging delay, so the quantile that delay reads is not pulled down by the slow attempts hedging cut short. An
  // attempt that had failed says nothing about latency.
  const observedMillis = call.policy.hedging!.delay._tag === "Quantile" && call.copies.includes(0) ?
    now - call.sentAt :
    undefined
  return step.done({
    _tag: "Succeeded",
    summary,
    ...(cancelled.length > 0 ? { cancelled } : {}),
    ...(observedMillis !== undefined ? { observedMillis } : {})
  })
}

/** A copy failed while others are still in flight: it drops out, unless the failure is one no copy can escape. */
const copyFailed = (step: Stepper, now: number, error: CallError.CallError, copy: number): RetryCall.Result => {
  const before = step.call
  const attempt = before.retry.attempts + 1
  const copies = before.copies.filter((c) => c !== copy)
  // Hedges start only while the breaker is closed, so no copy here holds a half-open probe's place.
  step.call = { ...before, copies, lastError: error }
  recordFailure(step, before, attempt, now, error)
  const facts = decision.factsOf(before.policy, error, before.idempotent)
  if (facts.retryable === false || (facts.failureClass === "fatal" && facts.retryable !== true)) {
    step.call = { ...step.call, retry: decision.attempted(before.retry) }
    return stop(step, error, now, "notRetryable", copies)
  }
  return step.done(pending)
}

/** Every failed attempt is an event, and tells the guards. */
const recordFailure = (
  step: Stepper,
  before: RetryCall.Call,
  attempt: number,
  now: number,
  error: CallError.CallError
) => {
  step.emit(() =>
    RetryEvent.AttemptFailed({
      call: before.info!,
      attempt,
      durationMillis: now - before.sentAt,
      failure: failureInfo(error),
      at: now
    })
  )
  step.breaker((b, s) => breakerMachine.record(b, s, now, error.failureClass, before.probe), now)
  step.limiter(
    (l, s) => limiterMachine.update(l, s, now, error.failureClass === "throttling", false, before.sentAt),
    now
  )
  step.budget((b, s) => budgetMachine.onOutcome(b, s, false))
  if (error.failureClass === "throttling") step.hedge((h, s) => hedgeMachine.throttled(h, s, now))
}

const failed = (
  step: Stepper,
  now: number,
  error: CallError.CallError,
  draw: number,
  delayMillis: number | undefined,
  copy: number
): RetryCall.Result => {
  const before = step.call
  if (before.copies.length > 1 && before.copies.includes(copy)) return copyFailed(step, now, error, copy)
  const attempt = before.retry.attempts + 1
  const retry = decision.attempted(before.retry)
  step.call = { ...before, retry, lastError: error, probe: false, copies: noCopies }
  recordFailure(step, before, attempt, now, error)
  const policy = before.policy
  const verdict = decision.decide(
    policy,
    retry,
    decision.factsOf(policy, error, before.idempotent),
    now - before.startedAt,
    draw
  )
  if (verdict._tag === "Stop") return stop(step, error, now, verdict.reason)
  // The guards, in order: the breaker, the budget, then the quota, last because it is the one that spends.
  if (step.guards.breaker !== undefined && step.guards.breaker._tag === "Open") {
    return stop(step, error, now, "circuitOpen")
  }
  const budget = policy.budget
  if (budget !== undefined && step.guards.budget !== undefined) {
    // A retry the budget counts but the quota then refuses errs on the side of fewer retries.
    const [allowed, next] = budgetMachine.tryRetry(budget, step.guards.budget, now)
    step.budget(() => next)
    step.emit(() =>
      RetryEvent.BudgetChecked({
        key: before.keys.budget!,
        allowed,
        remaining: budgetMachine.remaining(budget, next),
        at: now
      })
    )
    if (!allowed) return stop(step, error, now, "budget")
  }
  let lastRetryCost = before.lastRetryCost
  const quota = policy.quota
  if (quota !== undefined && step.guards.quota !== undefined) {
    const timeout = error._tag === "TransientError" && error.reason === "timeout"
    const price = quotaMachine.costOf(quota, error.failureClass, timeout)
    const left = quotaMachine.withdraw(quota, step.guards.quota, price)
    if (left === undefined) return stop(step, error, now, "quota")
    step.quota(left, now)
    lastRetryCost = price
  }
  const delay = delayMillis ?? verdict.delayMillis
  step.emit(() =>
    RetryEvent.RetryScheduled({
      call: before.info!,
      attempt,
      failure: failureInfo(error),
      delayMillis: delay,
      backoffMillis: verdict.backoffMillis,
      basis: verdict.basis,
      at: now
    })
  )
  step.call = { ...step.call, phase: "Retrying", lastRetryCost, retry: decision.advance(retry, delay) }
  return step.done({ _tag: "Retry", delayMillis: delay, basis: verdict.basis })
}

const release = (step: Stepper, now: number, reason: RetryCall.AbortReason): RetryCall.Result => {
  const call = step.call
  giveBack(step, now)
  const attempts = call.retry.attempts + (call.phase === "Attempting" ? 1 : 0)
  step.call = { ...step.call, phase: "Done", copies: noCopies }
  step.emit(() =>
    RetryEvent.CallAborted({
      call: call.info!,
      reason,
      attempts,
      totalDelayMillis: call.retry.totalDelayMillis,
      elapsedMillis: now - call.startedAt,
      at: now
    })
  )
  return step.done(released)
}

const released: RetryCall.Output = { _tag: "Released" }

/** @internal */
export const step = (call: RetryCall.Call, guards: RetryCall.Guards, input: RetryCall.Input): RetryCall.Result => {
  const s = new Stepper(call, guards)
  if (call.phase === "Done") return s.done(input._tag === "Release" ? released : { _tag: "Released" })
  switch (input._tag) {
    case "Admit":
      return admit(s, input.now, input.afterMillis ?? 0, input.commit ?? false)
    case "Recheck":
      return recheck(s, input.now)
    case "Hedge":
      return hedge(s, input.now, input.attempt)
    case "Succeeded":
      return succeeded(s, input.now, input.copy ?? 0)
    case "Failed":
      return failed(s, input.now, input.error, input.draw, input.delayMillis, input.copy ?? 0)
    case "Release":
      return release(s, input.now, input.reason)
  }
}

/**
 * Whether a `Release` step now would change anything: a half-open probe's place or a limiter reservation to give back,
 * or an observer to tell (`CallAborted`). When it would not, a shell need not arrange for one.
 * @internal
 */
export const needsRelease = (call: RetryCall.Call): boolean =>
  call.phase !== "Done" && (call.info !== undefined || call.probe || call.ticket !== undefined)

/** @internal */
export const isDone = (call: RetryCall.Call): boolean => call.phase === "Done"

/** The decision state of a call (attempts, delays). @internal */
export const retryState = (call: RetryCall.Call): RetryDecision.State => call.retry

/** The failure a `Stop` hands the caller: the last failure with the summary attached. @internal */
export const stopError = (
  output: { readonly failure: CallError.CallError; readonly summary: CallError.RetrySummary }
) => withRetries(output.failure, output.summary)
