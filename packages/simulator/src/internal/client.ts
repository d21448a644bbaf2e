import { AdaptiveLimiter, CircuitBreaker, RetryBudget, RetryPolicy, RetryQuota } from "@rebound/core"
import type { CallError } from "@rebound/core"
import type * as Client from "../Client.js"
import type * as EventQueue from "../EventQueue.js"
import type * as Rng from "../Rng.js"

const micros = (millis: number): number => Math.round(millis * 1000)

/**
 * The guard states of one client instance (one SDK client, one process): what rebound's `StateStore` holds for the
 * client's key. Each starts at the instant of the first call, as in the interpreter.
 * @internal
 */
class Guards implements Client.GuardStates {
  breaker: CircuitBreaker.State | undefined
  limiter: AdaptiveLimiter.State | undefined
  budget: RetryBudget.State | undefined
  quota: number | undefined
  private started = false
  constructor(private readonly policy: RetryPolicy.RetryPolicy) {}

  /** `RetryPolicy.retry`'s `guards.start`: counts the call against a ratio budget. */
  start(now: number): void {
    const { breaker, budget, limiter, quota } = this.policy
    if (!this.started) {
      this.started = true
      if (breaker !== undefined) this.breaker = CircuitBreaker.initial(breaker, now)
      if (limiter !== undefined) this.limiter = AdaptiveLimiter.initial(limiter, now)
      if (budget !== undefined) this.budget = RetryBudget.initial(budget, now)
      if (quota !== undefined) this.quota = quota.capacity
    }
    if (budget !== undefined) this.budget = RetryBudget.onRequest(budget, this.budget!, now)
  }

  /** `guards.admit`: the breaker's verdict before an attempt. */
  admit(now: number): CircuitBreaker.Admission {
    const breaker = this.policy.breaker
    if (breaker === undefined) return allowed
    const [admission, next] = CircuitBreaker.admit(breaker, this.breaker!, now)
    this.breaker = next
    return admission
  }

  /** `guards.reserve`: the limiter's reservation; returns the milliseconds to wait and the reservation's ticket. */
  reserve(now: number): { readonly wait: number; readonly ticket: number } {
    const limiter = this.policy.limiter
    if (limiter === undefined) return { wait: 0, ticket: 0 }
    const [wait, next] = AdaptiveLimiter.reserve(limiter, this.limiter!, now)
    this.limiter = next
    return { wait, ticket: next.issued }
  }

  /** `guards.remaining`: how much longer a ticket waits at the rate in force now. */
  remaining(now: number, ticket: number): number {
    const limiter = this.policy.limiter
    if (limiter === undefined) return 0
    const [wait, next] = AdaptiveLimiter.remainingWait(limiter, this.limiter!, now, ticket)
    this.limiter = next
    return wait
  }

  /** `guards.succeeded`. */
  succeeded(now: number, probe: boolean, lastRetryCost: number | undefined): void {
    const { breaker, budget, limiter, quota } = this.policy
    if (breaker !== undefined) this.breaker = CircuitBreaker.record(breaker, this.breaker!, now, "success", probe)
    if (limiter !== undefined) this.limiter = AdaptiveLimiter.update(limiter, this.limiter!, now, false)
    if (budget !== undefined) this.budget = RetryBudget.onOutcome(budget, this.budget!, true)
    if (quota !== undefined) this.quota = RetryQuota.refund(quota, this.quota!, lastRetryCost)
  }

  /** `guards.failed`. */
  failed(now: number, probe: boolean, error: CallError.CallError): void {
    const { breaker, budget, limiter } = this.policy
    if (breaker !== undefined) {
      this.breaker = CircuitBreaker.record(breaker, this.breaker!, now, error.failureClass, probe)
    }
    if (limiter !== undefined) {
      this.limiter = AdaptiveLimiter.update(limiter, this.limiter!, now, error.failureClass === "throttling")
    }
    if (budget !== undefined) this.budget = RetryBudget.onOutcome(budget, this.budget!, false)
  }

  /**
   * `guards.allowRetry`: the breaker, then the budget, then the quota (last, because it spends). Returns the quota
   * cost paid (`undefined` without a quota) or the stop reason.
   */
  allowRetry(now: number, error: CallError.CallError): Refusal | { readonly cost: number | undefined } {
    const { budget, quota } = this.policy
    if (this.breaker !== undefined && this.breaker._tag === "Open") return "circuitOpen"
    if (budget !== undefined) {
      const [ok, next] = RetryBudget.tryRetry(budget, this.budget!, now)
      this.budget = next
      if (!ok) return "budget"
    }
    if (quota === undefined) return noCost
    const timeout = error._tag === "TransientError" && error.reason === "timeout"
    const price = RetryQuota.costOf(quota, error.failureClass, timeout)
    const left = RetryQuota.withdraw(quota, this.quota!, price)
    if (left === undefined) return "quota"
    this.quota = left
    return { cost: price }
  }
}

type Refusal = "circuitOpen" | "budget" | "quota"
const allowed: CircuitBreaker.Admission = { _tag: "Allowed", probe: false }
const noCost = { cost: undefined } as const

/**
 * The limiter's wait counts as delay in the call's state, like the interpreter's internal `advanceBy` (not exported
 * by `@rebound/core`, so restated here; it only feeds `totalDelayMillis`, never a decision).
 */
const waited = (state: RetryPolicy.State, waitMillis: number): RetryPolicy.State =>
  waitMillis <= 0 ? state : { ...state, totalDelayMillis: state.totalDelayMillis + waitMillis }

/**
 * One logical call: the same steps, in the same order, as `RetryPolicy.retry`'s interpreter (`internal/retry.ts`),
 * with the event queue in place of `Clock`/`Effect.sleep` and the client's jitter stream in place of `Random`.
 * @internal
 */
class Call {
  private state: RetryPolicy.State = RetryPolicy.initialState
  private lastError: CallError.CallError | undefined
  private lastRetryCost: number | undefined
  private probe = false
  private waitedMicros = 0
  private readonly startedAt: number
  private readonly delays: Array<number> = []
  private readonly nextDelay: Client.DelayStep | undefined

  constructor(
    private readonly client: SimClient,
    private readonly transport: Client.Transport,
    private readonly done: (result: Client.CallResult) => void,
    private readonly idempotent: boolean | undefined
  ) {
    this.startedAt = client.queue.now
    this.nextDelay = client.policy.delays?.()
    client.guards?.start(this.startedAt / 1000)
    this.beforeAttempt()
  }

  private beforeAttempt(): void {
    const guards = this.client.guards
    const queue = this.client.queue
    this.probe = false
    if (guards !== undefined) {
      const admission = guards.admit(queue.now / 1000)
      if (admission._tag === "Rejected") return this.finish(false, "circuitOpen")
      this.probe = admission.probe
      const { ticket, wait } = guards.reserve(queue.now / 1000)
      if (wait > 0) return this.waitForToken(ticket, wait, queue.now)
    }
    this.send()
  }

  /**
   * The interpreter's `waitForToken`: sleep at most `AdaptiveLimiter.recheckMillis`, re-estimate at the current rate,
   * and send once the ticket is covered; the time really waited counts as delay.
   */
  private waitForToken(ticket: number, remaining: number, since: number): void {
    const queue = this.client.queue
    // A step of at least 1 µs: the virtual clock must move for the estimate to change.
    queue.after(Math.max(1, micros(Math.min(remaining, AdaptiveLimiter.recheckMillis))), () => {
      const left = this.client.guards!.remaining(queue.now / 1000, ticket)
      if (left > 0) return this.waitForToken(ticket, left, since)
      const us = queue.now - since
      this.state = waited(this.state, us / 1000)
      this.waitedMicros += us
      this.send()
    })
  }

  private send(): void {
    this.transport((outcome) => this.settle(outcome))
  }

  private settle(outcome: Client.Outcome): void {
    const client = this.client
    const guards = client.guards
    const now = client.queue.now / 1000
    this.state = RetryPolicy.attempted(this.state)
    if (outcome === "success") {
      guards?.succeeded(now, this.probe, this.lastRetryCost)
      return this.finish(true, undefined)
    }
    this.lastError = outcome
    // One draw per failed attempt, taken before anything else, exactly as the interpreter takes `Random.next`.
    const draw = client.jitter.next()
    guards?.failed(now, this.probe, outcome)
    const policy = client.policy.policy
    const decision = RetryPolicy.decide(
      policy,
      this.state,
      RetryPolicy.factsOf(policy, outcome, this.idempotent),
      now - this.startedAt / 1000,
      draw
    )
    if (decision._tag === "Stop") return this.finish(false, decision.reason)
    if (guards !== undefined) {
      const verdict = guards.allowRetry(now, outcome)
      if (typeof verdict === "string") return this.finish(false, verdict)
      this.lastRetryCost = verdict.cost
    }
    const delay = this.nextDelay === undefined ? decision.delayMillis : this.nextDelay(now, draw)
    this.delays.push(delay)
    this.state = RetryPolicy.advance(this.state, delay)
    client.queue.after(micros(delay), () => this.beforeAttempt())
  }

  private finish(succeeded: boolean, stopReason: CallError.StopReason | undefined): void {
    this.done({
      succeeded,
      attempts: this.state.attempts,
      startedAt: this.startedAt,
      endedAt: this.client.queue.now,
      stopReason,
      delaysMillis: this.delays,
      waitedMicros: this.waitedMicros,
      lastError: succeeded ? undefined : this.lastError
    })
  }
}

/** @internal */
class SimClient implements Client.Client {
  readonly guards: Guards | undefined
  constructor(
    readonly queue: EventQueue.EventQueue,
    readonly policy: Client.SimPolicy,
    readonly jitter: Rng.Stream
  ) {
    const { breaker, budget, limiter, quota } = policy.policy
    this.guards = quota === undefined && budget === undefined && limiter === undefined && breaker === undefined ?
      undefined :
      new Guards(policy.policy)
  }

  call(transport: Client.Transport, done: (result: Client.CallResult) => void, options?: Client.CallOptions): void {
    new Call(this, transport, done, options?.idempotent)
  }
}

/** @internal */
export const make = (queue: EventQueue.EventQueue, policy: Client.SimPolicy, jitter: Rng.Stream): Client.Client =>
  new SimClient(queue, policy, jitter)
