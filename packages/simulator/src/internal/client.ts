import { AdaptiveLimiter, Hedging, LatencyTracker, RetryCall } from "@rebound/core"
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
    const guards: { -readonly [K in RetryCall.GuardKind]?: unknown } = {}
    for (const kind of RetryCall.guardKinds) {
      const key = call.keys[kind]
      if (key === undefined) continue
      let state = this.states.get(key)
      if (state === undefined && create) {
        state = RetryCall.initialGuard(call.policy, kind, nowMillis)
        this.states.set(key, state)
      }
      guards[kind] = state
    }
    return { ...RetryCall.noGuards, ...guards } as RetryCall.Guards
  }
  write(call: RetryCall.Call, guards: RetryCall.Guards): void {
    for (const kind of RetryCall.guardKinds) {
      const key = call.keys[kind]
      if (key !== undefined) this.states.set(key, guards[kind])
    }
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
  /** Copies of the current attempt in flight, with how to cancel each (hedging only). */
  private readonly copies = new Map<number, (() => void) | undefined>()
  private hedges = 0

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
    const hedging = client.policy.policy.hedging
    // The interpreter reads the latency estimate from its tracker when a call starts; so does the simulator, from the
    // client's own.
    const latencyMillis = hedging === undefined
      ? undefined
      : Hedging.latencyEstimate(hedging, context, client.tracker, now)
    this.call = RetryCall.start({
      policy: client.policy.policy,
      context,
      now,
      idempotent: options?.idempotent,
      latencyMillis
    })
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
      case "Proceed": {
        if (this.waitStartedAt >= 0) {
          this.waitedMicros += queue.now - this.waitStartedAt
          this.waitStartedAt = -1
        }
        if (output.hedgeAfterMillis === undefined) return void this.transport((outcome) => this.settle(outcome, 0))
        this.send(0)
        return this.armHedge(output.attempt, output.hedgeAfterMillis)
      }
      case "Hedge":
        this.hedges++
        this.send(output.copy)
        if (output.hedgeAfterMillis !== undefined) this.armHedge(output.attempt, output.hedgeAfterMillis)
        return
      case "Pending":
        if (output.hedgeAfterMillis !== undefined) this.armHedge(this.call.retry.attempts + 1, output.hedgeAfterMillis)
        return
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
        this.cancel(output.cancelled)
        if (output.observedMillis !== undefined) {
          const hedging = this.client.policy.policy.hedging!
          this.client.tracker.observe(
            Hedging.latencyKeyOf(hedging, this.call.context),
            output.observedMillis,
            queue.now / 1000
          )
        }
        return this.finish(true, undefined, undefined)
      case "Stop":
        this.cancel(output.cancelled)
        return this.finish(false, output.reason, output.failure)
      case "Released":
        return
    }
  }

  /** Sends one copy of the current attempt; its reply counts only while it is in flight. */
  private send(copy: number): void {
    this.copies.set(copy, undefined)
    const cancel = this.transport((outcome) => {
      if (!this.copies.has(copy)) return
      this.copies.delete(copy)
      this.settle(outcome, copy)
    })
    if (this.copies.has(copy)) this.copies.set(copy, cancel ?? undefined)
  }

  /** The interpreter's hedge timer: step `Hedge` when the delay has passed (the machine ignores a stale one). */
  private armHedge(attempt: number, afterMillis: number): void {
    const queue = this.client.queue
    queue.after(micros(afterMillis), () => this.act(this.step({ _tag: "Hedge", now: queue.now / 1000, attempt })))
  }

  /** Cancels the copies the machine named: their replies no longer count, and the scenario may stop serving them. */
  private cancel(copies: ReadonlyArray<number> | undefined): void {
    for (const copy of copies ?? []) {
      const cancel = this.copies.get(copy)
      this.copies.delete(copy)
      cancel?.()
    }
  }

  private settle(outcome: Client.Outcome, copy: number): void {
    const now = this.client.queue.now / 1000
    if (outcome === "success") return this.act(this.step({ _tag: "Succeeded", now, copy }))
    // One draw per failed attempt, taken before anything else, exactly as the interpreter takes `Random.next`.
    const draw = this.client.jitter.next()
    const delayMillis = this.nextDelay?.(now, draw)
    this.act(this.step({ _tag: "Failed", now, error: outcome, draw, delayMillis, copy }))
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
      failure,
      hedges: this.hedges
    })
  }
}

let instances = 0

/** @internal */
class SimClient implements Client.Client {
  readonly context: { readonly service: string; readonly operation: string; readonly resource: string; scope: string }
  readonly store: Store
  readonly holder: Client.GuardHolder | undefined
  /** Latency per operation and resource, as the interpreter's `LatencyTracker` keeps it (hedging delays read it). */
  readonly tracker = LatencyTracker.makeMemory()
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
