import { AdaptiveLimiter, Hedging, LatencyTracker, RetryCall } from "@rebound/core"
import type { CallError } from "@rebound/core"
import type * as Client from "../Client.js"
import type * as EventQueue from "../EventQueue.js"
import type * as Rng from "../Rng.js"

const micros = (millis: number): number => Math.round(millis * 1000)

const context = { service: "Simulated", operation: "Call" } as const

/**
 * One logical call: rebound's own per-call machine (`RetryCall`), driven by the event queue in place of `Clock` and
 * `Effect.sleep`, with the client's jitter stream in place of `Random`. The guard states are the client's, as a
 * `StateStore` holds one client instance's.
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
    idempotent: boolean | undefined
  ) {
    const now = client.queue.now / 1000
    const hedging = client.policy.policy.hedging
    // The interpreter reads the latency estimate from its tracker when a call starts; so does the simulator, from the
    // client's own.
    const latencyMillis = hedging?.delay._tag === "Quantile" ?
      client.tracker.quantile(
        Hedging.latencyKeyOf(hedging, context),
        hedging.delay.quantile,
        hedging.delay.minSamples,
        now
      ) :
      undefined
    this.call = RetryCall.start({ policy: client.policy.policy, context, now, idempotent, latencyMillis })
    this.nextDelay = client.policy.delays?.()
    if (this.call.guarded && client.guards === undefined && client.holder === undefined) {
      client.guards = RetryCall.initialGuards(this.call, now)
    }
    this.act(this.step({ _tag: "Admit", now }))
  }

  private step(input: RetryCall.Input): RetryCall.Output {
    const holder = this.client.holder
    if (holder !== undefined && this.call.guarded) {
      const held = holder(this.call, input)
      this.call = held.call
      return held.output
    }
    const result = RetryCall.step(this.call, this.client.guards ?? RetryCall.noGuards, input)
    this.call = result.call
    if (this.client.guards !== undefined) this.client.guards = result.guards
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
          this.client.tracker.observe(Hedging.latencyKeyOf(hedging, context), output.observedMillis, queue.now / 1000)
        }
        return this.finish(true, undefined)
      case "Stop":
        this.cancel(output.cancelled)
        return this.finish(false, output.reason)
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

  private finish(succeeded: boolean, stopReason: CallError.StopReason | undefined): void {
    this.done({
      succeeded,
      attempts: this.call.retry.attempts,
      startedAt: micros(this.call.startedAt),
      endedAt: this.client.queue.now,
      stopReason,
      delaysMillis: this.delays,
      waitedMicros: this.waitedMicros,
      lastError: succeeded ? undefined : this.call.lastError,
      hedges: this.hedges
    })
  }
}

/** @internal */
class SimClient implements Client.Client {
  guards: RetryCall.Guards | undefined = undefined
  /** Latency per operation and resource, as the interpreter's `LatencyTracker` keeps it (hedging delays read it). */
  readonly tracker = LatencyTracker.makeMemory()
  constructor(
    readonly queue: EventQueue.EventQueue,
    readonly policy: Client.SimPolicy,
    readonly jitter: Rng.Stream,
    readonly holder: Client.GuardHolder | undefined
  ) {}

  call(transport: Client.Transport, done: (result: Client.CallResult) => void, options?: Client.CallOptions): void {
    new Call(this, transport, done, options?.idempotent)
  }
}

/** @internal */
export const make = (
  queue: EventQueue.EventQueue,
  policy: Client.SimPolicy,
  jitter: Rng.Stream,
  holder?: Client.GuardHolder
): Client.Client => new SimClient(queue, policy, jitter, holder)
