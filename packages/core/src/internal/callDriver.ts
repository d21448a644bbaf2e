import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as CallError from "../CallError.js"
import type * as RetryCall from "../RetryCall.js"
import type * as RetryEvent_ from "../RetryEvent.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type { StateStore } from "../StateStore.js"
import { latencyEstimate } from "./hedgedRound.js"
import * as machine from "./retryCall.js"
import { emitter, observers } from "./retryEvent.js"
import { StateStoreTag } from "./stateStore.js"

const kinds = machine.guardKinds

/**
 * One call's machine bound to its world: the clock, the state store its guards live in, and the observers its events
 * go to. Each method reads the time, applies one step of the pure machine — atomically in the store when the step
 * touches guards — publishes the step's events, and returns the step's output. The Effect interpreter and the
 * step-wise session both drive a call through this, and nothing else.
 * @internal
 */
export interface Driver {
  /** The call's state after the latest step. */
  readonly current: () => RetryCall.Call
  readonly admit: (afterMillis: number, commit: boolean) => Effect.Effect<RetryCall.Output>
  readonly recheck: Effect.Effect<RetryCall.Output>
  readonly succeeded: Effect.Effect<RetryCall.Output>
  /** Draws the jitter from `Random`, then steps. */
  readonly failed: (error: CallError.CallError, delayMillis?: number) => Effect.Effect<RetryCall.Output>
  /** Hedging: the hedge delay of `attempt` passed; a copy's outcome. */
  readonly hedge: (attempt: number) => Effect.Effect<RetryCall.Output>
  readonly copySucceeded: (copy: number) => Effect.Effect<RetryCall.Output>
  readonly copyFailed: (copy: number, error: CallError.CallError) => Effect.Effect<RetryCall.Output>
  readonly release: (reason: RetryCall.AbortReason) => Effect.Effect<void>
}

let callIds = 0

const contextOf = (options: RetryPolicy.CallOptions | undefined): RetryPolicy.CallContext => ({
  service: options?.service ?? "unknown",
  operation: options?.operation ?? "unknown",
  resource: options?.resource,
  scope: options?.scope
})

/** @internal */
export const make = (
  policy: RetryPolicy.RetryPolicy,
  options: RetryPolicy.CallOptions | undefined
): Effect.Effect<Driver> =>
  Effect.flatMap(
    observers,
    (all) =>
      Effect.flatMap(StateStoreTag, (store) =>
        Effect.clockWith((clock) =>
          policy.hedging === undefined ?
            Effect.sync(() => bind(policy, options, store, clock, emitter(all), undefined)) :
            Effect.map(
              latencyEstimate(policy.hedging, contextOf(options), clock),
              (latency) => bind(policy, options, store, clock, emitter(all), latency)
            )
        ))
  )

const bind = (
  policy: RetryPolicy.RetryPolicy,
  options: RetryPolicy.CallOptions | undefined,
  store: StateStore,
  clock: Clock.Clock,
  emit: ((event: RetryEvent_.RetryEvent) => Effect.Effect<void>) | undefined,
  latencyMillis: number | undefined
): Driver => {
  const context = contextOf(options)
  let call = machine.start({
    policy,
    context,
    now: clock.unsafeCurrentTimeMillis(),
    idempotent: options?.idempotent,
    bypassGuards: options?.cleanup,
    info: emit === undefined ? undefined : { id: ++callIds, ...context, policy: policy.name },
    latencyMillis
  })
  const present = kinds.filter((kind) => call.keys[kind] !== undefined)
  const keys = present.map((kind) => call.keys[kind]!)
  // The guards the keys belong to, for stores that lease or merge state (a fleet store).
  const guards = present.map((kind) => machine.guardOf(policy, kind)!)

  const publish = (result: RetryCall.Result): Effect.Effect<RetryCall.Output> => {
    call = result.call
    if (emit === undefined || result.events.length === 0) return Effect.succeed(result.output)
    const events = result.events
    return Effect.as(
      events.length === 1 ? emit(events[0]!) : Effect.forEach(events, emit, { discard: true }),
      result.output
    )
  }

  const inStore = (input: RetryCall.Input) => (states: ReadonlyArray<unknown>) => {
    const guards: { -readonly [K in RetryCall.GuardKind]?: unknown } = {}
    for (let i = 0; i < present.length; i++) guards[present[i]!] = states[i]
    const result = machine.step(call, { ...machine.noGuards, ...guards } as RetryCall.Guards, input)
    return [result, present.map((kind) => result.guards[kind])] as const
  }

  const apply = (input: RetryCall.Input): Effect.Effect<RetryCall.Output> => {
    if (!machine.touchesGuards(call, input)) return publish(machine.step(call, machine.noGuards, input))
    const initial = (i: number) => machine.initialGuard(policy, present[i]!, input.now)
    if (store.modifyNow !== undefined) return publish(store.modifyNow(keys, initial, inStore(input), guards))
    return Effect.flatMap(store.modify(keys, initial, inStore(input), guards), publish)
  }

  const now = () => clock.unsafeCurrentTimeMillis()
  return {
    current: () => call,
    admit: (afterMillis, commit) => Effect.suspend(() => apply({ _tag: "Admit", now: now(), afterMillis, commit })),
    recheck: Effect.suspend(() => apply({ _tag: "Recheck", now: now() })),
    succeeded: Effect.suspend(() => apply({ _tag: "Succeeded", now: now() })),
    failed: (error, delayMillis) =>
      Effect.flatMap(Random.next, (draw) => apply({ _tag: "Failed", now: now(), error, draw, delayMillis })),
    hedge: (attempt) => Effect.suspend(() => apply({ _tag: "Hedge", now: now(), attempt })),
    copySucceeded: (copy) => Effect.suspend(() => apply({ _tag: "Succeeded", now: now(), copy })),
    copyFailed: (copy, error) =>
      Effect.flatMap(Random.next, (draw) => apply({ _tag: "Failed", now: now(), error, draw, copy })),
    release: (reason) =>
      Effect.suspend(() =>
        machine.isDone(call) ? Effect.void : Effect.asVoid(apply({ _tag: "Release", now: now(), reason }))
      )
  }
}
