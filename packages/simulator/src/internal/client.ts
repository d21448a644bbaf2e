import { AdaptiveLimiter, RetryCall } from "@rebound/core"
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

  constructor(
    private readonly client: SimClient,
    private readonly transport: Client.Transport,
    private readonly done: (result: Client.CallResult) => void,
    idempotent: boolean | undefined
  ) {
    const now = client.queue.now / 1000
    this.call = RetryCall.start({ policy: client.policy.policy, context, now, idempotent })
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
        return this.finish(true, undefined)
      case "Stop":
        return this.finish(false, output.reason)
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

  private finish(succeeded: boolean, stopReason: CallError.StopReason | undefined): void {
    this.done({
      succeeded,
      attempts: this.call.retry.attempts,
      startedAt: micros(this.call.startedAt),
      endedAt: this.client.queue.now,
      stopReason,
      delaysMillis: this.delays,
      waitedMicros: this.waitedMicros,
      lastError: succeeded ? undefined : this.call.lastError
    })
  }
}

/** @internal */
class SimClient implements Client.Client {
  guards: RetryCall.Guards | undefined = undefined
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
