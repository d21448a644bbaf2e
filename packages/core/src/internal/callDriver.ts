import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as HashSet from "effect/HashSet"
import * as Random from "effect/Random"
import type * as CallError from "../CallError.js"
import type * as RetryCall from "../RetryCall.js"
import type * as RetryEvent_ from "../RetryEvent.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type { StateStore } from "../StateStore.js"
import * as machine from "./retryCall.js"
import { currentObservers, emitter } from "./retryEvent.js"
import { StateStoreTag } from "./stateStore.js"

const kinds: ReadonlyArray<RetryCall.GuardKind> = ["breaker", "limiter", "budget", "quota"]

/**
 * One call's machine bound to its world: the clock, the state store its guards live in, and the observers its events
 * go to. Each step reads the time, applies one step of the pure machine — atomically in the store when the step
 * touches guards — publishes the step's events, and returns the step's output. The Effect interpreter and the
 * step-wise session both drive a call through this, and nothing else.
 *
 * When nobody observes and the store steps in place (`modifyNow`, or a call that touches no guard), a step needs no
 * effect at all: `sync` is true and `stepNow` applies it at once, so the interpreter's success path runs no fiber
 * work of its own between the attempt and its result.
 * @internal
 */
export interface Driver {
  /** The call's state after the latest step. */
  readonly current: () => RetryCall.Call
  /** The clock's time, in milliseconds. */
  readonly now: () => number
  /** True when {@link stepNow} may be used: no observer to publish to, and no store round trip. */
  readonly sync: boolean
  /** Applies one step at once. Only when `sync`. */
  readonly stepNow: (input: RetryCall.Input) => RetryCall.Output
  /** Applies one step, publishing its events. */
  readonly step: (input: RetryCall.Input) => Effect.Effect<RetryCall.Output>
  readonly admit: (afterMillis: number, commit: boolean) => Effect.Effect<RetryCall.Output>
  readonly recheck: Effect.Effect<RetryCall.Output>
  readonly succeeded: Effect.Effect<RetryCall.Output>
  /** Draws the jitter from `Random`, then steps. */
  readonly failed: (error: CallError.CallError, delayMillis?: number) => Effect.Effect<RetryCall.Output>
  readonly release: (reason: RetryCall.AbortReason) => Effect.Effect<void>
}

let callIds = 0

const contextOf = (options: RetryPolicy.CallOptions | undefined): RetryPolicy.CallContext => ({
  service: options?.service ?? "unknown",
  operation: options?.operation ?? "unknown",
  resource: options?.resource,
  scope: options?.scope
})

const noObservers: ReadonlyArray<RetryEvent_.RetryObserver> = []

/** The driver of one call, bound to what the running fiber holds: no effect needed to read it. @internal */
export const fromFiber = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  policy: RetryPolicy.RetryPolicy,
  options: RetryPolicy.CallOptions | undefined
): Driver => {
  const observing = fiber.getFiberRef(currentObservers)
  return bind(
    policy,
    options,
    Context.get(fiber.currentContext, StateStoreTag),
    Context.get(fiber.currentDefaultServices, Clock.Clock),
    emitter(HashSet.size(observing) === 0 ? noObservers : HashSet.toValues(observing))
  )
}

/** @internal */
export const make = (
  policy: RetryPolicy.RetryPolicy,
  options: RetryPolicy.CallOptions | undefined
): Effect.Effect<Driver> => Effect.withFiberRuntime((fiber) => Effect.succeed(fromFiber(fiber, policy, options)))

const bind = (
  policy: RetryPolicy.RetryPolicy,
  options: RetryPolicy.CallOptions | undefined,
  store: StateStore,
  clock: Clock.Clock,
  emit: ((event: RetryEvent_.RetryEvent) => Effect.Effect<void>) | undefined
): Driver => {
  const context = contextOf(options)
  let call = machine.start({
    policy,
    context,
    now: clock.unsafeCurrentTimeMillis(),
    idempotent: options?.idempotent,
    bypassGuards: options?.cleanup,
    info: emit === undefined ? undefined : { id: ++callIds, ...context, policy: policy.name }
  })
  const present = call.guarded ? kinds.filter((kind) => call.keys[kind] !== undefined) : kinds.slice(0, 0)
  const keys = present.map((kind) => call.keys[kind]!)

  const inStore = (input: RetryCall.Input) => (states: ReadonlyArray<unknown>) => {
    const guards: { -readonly [K in RetryCall.GuardKind]?: unknown } = { ...machine.noGuards }
    for (let i = 0; i < present.length; i++) guards[present[i]!] = states[i]
    const result = machine.step(call, guards as RetryCall.Guards, input)
    return [result, present.map((kind) => result.guards[kind])] as const
  }
  const initial = (input: RetryCall.Input) => (i: number) => machine.initialGuard(policy, present[i]!, input.now)

  /** One step, done here and now when the store allows it; `undefined` when it needs the store's own effect. */
  const applyNow = (input: RetryCall.Input): RetryCall.Result | undefined => {
    if (!machine.touchesGuards(call, input)) return machine.step(call, machine.noGuards, input)
    if (store.modifyNow !== undefined) return store.modifyNow(keys, initial(input), inStore(input))
    return undefined
  }

  const publish = (result: RetryCall.Result): Effect.Effect<RetryCall.Output> => {
    call = result.call
    if (emit === undefined || result.events.length === 0) return Effect.succeed(result.output)
    const events = result.events
    return Effect.as(
      events.length === 1 ? emit(events[0]!) : Effect.forEach(events, emit, { discard: true }),
      result.output
    )
  }

  const step = (input: RetryCall.Input): Effect.Effect<RetryCall.Output> => {
    const result = applyNow(input)
    if (result !== undefined) return publish(result)
    return Effect.flatMap(store.modify(keys, initial(input), inStore(input)), publish)
  }

  const stepNow = (input: RetryCall.Input): RetryCall.Output => {
    const result = applyNow(input)
    if (result === undefined) throw new Error("rebound: a synchronous step was asked of a store without modifyNow")
    call = result.call
    return result.output
  }

  const now = () => clock.unsafeCurrentTimeMillis()
  return {
    current: () => call,
    now,
    sync: emit === undefined && (store.modifyNow !== undefined || !call.guarded),
    stepNow,
    step,
    admit: (afterMillis, commit) => Effect.suspend(() => step({ _tag: "Admit", now: now(), afterMillis, commit })),
    recheck: Effect.suspend(() => step({ _tag: "Recheck", now: now() })),
    succeeded: Effect.suspend(() => step({ _tag: "Succeeded", now: now() })),
    failed: (error, delayMillis) =>
      Effect.flatMap(Random.next, (draw) => step({ _tag: "Failed", now: now(), error, draw, delayMillis })),
    release: (reason) =>
      Effect.suspend(() =>
        machine.isDone(call) ? Effect.void : Effect.asVoid(step({ _tag: "Release", now: now(), reason }))
      )
  }
}
