import { AdaptiveLimiter, RetryCall } from "@rebound/core"
import type { CallError } from "@rebound/core"
import type * as Client from "../Client.js"
import type * as EventQueue from "../EventQueue.js"
import type * as Rng from "../Rng.js"

const micros = (millis: number): number => Math.round(millis * 1000)

/**
 * The guard states of one process, by store key — what rebound's in-memory `StateStore` holds — created at the
 * instant of the call that first uses them.
 * @internal
 */
export class Store implements Client.Store {
  readonly states = new Map<string, unknown>()
  read(call: RetryCall.Call, nowMillis: number, create = true): RetryCall.Guards {
    const keys = call.keys
    const get = <K extends RetryCall.GuardKind>(kind: K): RetryCall.Guards[K] => {
      const key = keys[kind]
      if (key === undefined) return undefined
      let state = this.states.get(key)
      if (state === undefined && create) {
        state = RetryCall.initialGuard(call.policy, kind, nowMillis)
        this.states.set(key, state)
      }
      return state as RetryCall.Guards[K]
    }
    return { breaker: get("breaker"), limiter: get("limiter"), budget: get("budget"), quota: get("quota") }
  }
  write(call: RetryCall.Call, guards: RetryCall.Guards): void {
    const keys = call.keys
    if (keys.breaker !== undefined) this.states.set(keys.breaker, guards.breaker)
    if (keys.limiter !== undefined) this.states.set(keys.limiter, guards.limiter)
    if (keys.budget !== undefined) this.states.set(keys.budget, guards.budget)
    if (keys.quota !== undefined) this.states.set(keys.quota, guards.quota)
  }
}

/** @internal */
export const makeStore = (): Store => new Store()

/**
 * One logical call: rebound's own per-call machine (`RetryCall`), driven by the event queue in place of `Clock` and
 * `Effect.sleep`, with the client's jitter stream in place of `Random`. Each step reads the guard states under the
 * call's keys from the process's store and writes them back, as the interpreter's store does.
 * @internal
 */
class Call {
  private call: RetryCall.Call
  private waitStartedAt = -1
  private waitedMicros = 0
  private readonly delays: Array<number> = []
  private readonly nextDelay: Client.DelayStep | undefined

  constructor(
    private readonly client: SimClient,
    private readonly transport: Client.Transport,
    private readonly done: (result: Client.CallResult) => void,
    options: Client.CallOptions | undefined
  ) {
    const now = client.queue.now / 1000
    const context = options?.operation === undefined ?
      client.context :
      { ...client.context, operation: options.operation }
    this.call = RetryCall.start({ policy: client.policy.policy, context, now, idempotent: options?.idempotent })
    this.nextDelay = client.policy.delays?.()
    this.act(this.step({ _tag: "Admit", now }))
  }

  private step(input: RetryCall.Input): RetryCall.Output {
    const holder = this.client.holder
    if (holder !== undefined && this.call.guarded) {
      // Guard states kept elsewhere (a fleet store's lease protocol): the holder applies the step to them.
      const held = holder(this.call, input)
      this.call = held.call
      return held.output
    }
    if (!RetryCall.touchesGuards(this.call, input)) {
      const result = RetryCall.step(this.call, RetryCall.noGuards, input)
      this.call = result.call
      return result.output
    }
    const store = this.client.store
    const result = RetryCall.step(this.call, store.read(this.call, input.now), input)
    this.call = result.call
    store.write(this.call, result.guards)
    return result.output
  }

  private act(output: RetryCall.Output): void {
    const queue = this.client.queue
    switch (output._tag) {
      case "Proceed":
        if (this.waitStartedAt >= 0) {
          this.waitedMicros += queue.now - this.waitStartedAt
          this.waitStartedAt = -1
        }
        return this.transport((outcome) => this.settle(outcome))
      case "Wait":
        // The interpreter's wait: sleep at most `AdaptiveLimiter.recheckMillis`, then re-estimate at the current rate.
        // A step of at least 1 µs: the virtual clock must move for the estimate to change.
        if (this.waitStartedAt < 0) this.waitStartedAt = queue.now
        queue.after(
          Math.max(1, micros(Math.min(output.waitMillis, AdaptiveLimiter.recheckMillis))),
          () => this.act(this.step({ _tag: "Recheck", now: queue.now / 1000 }))
        )
        return
      case "Retry":
        this.delays.push(output.delayMillis)
        queue.after(micros(output.delayMillis), () => this.act(this.step({ _tag: "Admit", now: queue.now / 1000 })))
        return
      case "Succeeded":
        return this.finish(true, undefined, undefined)
      case "Stop":
        return this.finish(false, output.reason, output.failure)
      case "Released":
        return
    }
  }

  private settle(outcome: Client.Outcome): void {
    const now = this.client.queue.now / 1000
    if (outcome === "success") return this.act(this.step({ _tag: "Succeeded", now }))
    // One draw per failed attempt, taken before anything else, exactly as the interpreter takes `Random.next`.
    const draw = this.client.jitter.next()
    const delayMillis = this.nextDelay?.(now, draw)
    this.act(this.step({ _tag: "Failed", now, error: outcome, draw, delayMillis }))
  }

  private finish(
    succeeded: boolean,
    stopReason: CallError.StopReason | undefined,
    failure: CallError.CallError | undefined
  ): void {
    this.done({
      succeeded,
      attempts: this.call.retry.attempts,
      startedAt: micros(this.call.startedAt),
      endedAt: this.client.queue.now,
      stopReason,
      delaysMillis: this.delays,
      waitedMicros: this.waitedMicros,
      lastError: succeeded ? undefined : this.call.lastError,
      failure
    })
  }
}

let instances = 0

/** @internal */
class SimClient implements Client.Client {
  readonly context: { readonly service: string; readonly operation: string; readonly resource: string; scope: string }
  readonly store: Store
  readonly holder: Client.GuardHolder | undefined
  constructor(
    readonly queue: EventQueue.EventQueue,
    readonly policy: Client.SimPolicy,
    readonly jitter: Rng.Stream,
    options: Client.Options
  ) {
    this.store = (options.store as Store | undefined) ?? new Store()
    this.holder = options.holder
    this.context = {
      service: "Simulated",
      operation: options.operation ?? "Call",
      resource: options.resource ?? "resource",
      scope: options.scope ?? `Simulated#${++instances}`
    }
  }

  get scope(): string {
    return this.context.scope
  }

  get guards(): Client.GuardStates | undefined {
    const call = RetryCall.start({ policy: this.policy.policy, context: this.context, now: this.queue.now / 1000 })
    return call.guarded ? this.store.read(call, this.queue.now / 1000, false) : undefined
  }

  call(transport: Client.Transport, done: (result: Client.CallResult) => void, options?: Client.CallOptions): void {
    new Call(this, transport, done, options)
  }
}

/** @internal */
export const make = (
  queue: EventQueue.EventQueue,
  policy: Client.SimPolicy,
  jitter: Rng.Stream,
  options: Client.Options = {}
): Client.Client => new SimClient(queue, policy, jitter, options)
