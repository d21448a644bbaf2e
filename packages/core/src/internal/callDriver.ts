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
import type * as StateStore from "../StateStore.js"
import { latencyEstimate } from "./hedging.js"
import { LatencyTrackerTag } from "./latencyTracker.js"
import * as machine from "./retryCall.js"
import { currentObservers, emitter } from "./retryEvent.js"
import { StateStoreTag } from "./stateStore.js"

const kinds = machine.guardKinds

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
  const context = contextOf(options)
  const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
  // Only a hedging policy reads the latency tracker (and only a quantile delay asks it anything).
  const latencyMillis = policy.hedging === undefined ?
    undefined :
    latencyEstimate(
      policy.hedging,
      context,
      Context.get(fiber.currentContext, LatencyTrackerTag),
      clock.unsafeCurrentTimeMillis()
    )
  return bind(
    policy,
    context,
    options,
    Context.get(fiber.currentContext, StateStoreTag),
    clock,
    emitter(HashSet.size(observing) === 0 ? noObservers : HashSet.toValues(observing)),
    latencyMillis
  )
}

/** @internal */
export const make = (
  policy: RetryPolicy.RetryPolicy,
  options: RetryPolicy.CallOptions | undefined
): Effect.Effect<Driver> => Effect.withFiberRuntime((fiber) => Effect.succeed(fromFiber(fiber, policy, options)))

const bind = (
  policy: RetryPolicy.RetryPolicy,
  context: RetryPolicy.CallContext,
  options: RetryPolicy.CallOptions | undefined,
  store: StateStore.StateStore,
  clock: Clock.Clock,
  emit: ((event: RetryEvent_.RetryEvent) => Effect.Effect<void>) | undefined,
  latencyMillis: number | undefined
): Driver => {
  const call = machine.start({
    policy,
    context,
    now: clock.unsafeCurrentTimeMillis(),
    idempotent: options?.idempotent,
    bypassGuards: options?.cleanup,
    info: emit === undefined ? undefined : { id: ++callIds, ...context, policy: policy.name },
    latencyMillis
  })
  return new Driver(call, store, clock, emit)
}

const noKinds: ReadonlyArray<RetryCall.GuardKind> = []
const noKeys: ReadonlyArray<string> = []
const noStoreGuards: ReadonlyArray<StateStore.Guard> = []

/**
 * One call's machine bound to its world: the clock, the state store its guards live in, and the observers its events
 * go to. Each step reads the time, applies one step of the pure machine — atomically in the store when the step
 * touches guards — publishes the step's events, and returns the step's output. The Effect interpreter and the
 * step-wise session both drive a call through this, and nothing else.
 *
 * When nobody observes and the store steps in place (`modifyNow`, or a call that touches no guard), a step needs no
 * effect at all: `sync` is true and `stepNow` applies it at once, so the interpreter's success path runs no fiber
 * work of its own between the attempt and its result. One object per call, its methods on the prototype: the driver
 * allocates nothing a step does not need.
 * @internal
 */
export class Driver {
  /** True when {@link stepNow} may be used: no observer to publish to, and no store round trip. */
  readonly sync: boolean
  private readonly kinds: ReadonlyArray<RetryCall.GuardKind>
  private readonly keys: ReadonlyArray<string>
  /** The guards the keys belong to, for stores that lease or merge state (a fleet store). */
  private readonly guards: ReadonlyArray<StateStore.Guard>
  /** The input of the step being applied in the store. */
  private input: RetryCall.Input | undefined = undefined

  constructor(
    private call: RetryCall.Call,
    private readonly store: StateStore.StateStore,
    private readonly clock: Clock.Clock,
    private readonly emit: ((event: RetryEvent_.RetryEvent) => Effect.Effect<void>) | undefined
  ) {
    this.kinds = call.guarded ? kinds.filter((kind) => call.keys[kind] !== undefined) : noKinds
    this.keys = call.guarded ? this.kinds.map((kind) => call.keys[kind]!) : noKeys
    this.guards = call.guarded ? this.kinds.map((kind) => machine.guardOf(call.policy, kind)!) : noStoreGuards
    this.sync = emit === undefined && (store.modifyNow !== undefined || !call.guarded)
  }

  /** The call's state after the latest step. */
  current(): RetryCall.Call {
    return this.call
  }

  /** The clock's time, in milliseconds. */
  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  /** Applies one step at once. Only when `sync`. */
  stepNow(input: RetryCall.Input): RetryCall.Output {
    const result = this.applyNow(input)
    if (result === undefined) throw new Error("rebound: a synchronous step was asked of a store without modifyNow")
    this.call = result.call
    return result.output
  }

  /** Applies one step, publishing its events. */
  step(input: RetryCall.Input): Effect.Effect<RetryCall.Output> {
    const result = this.applyNow(input)
    if (result !== undefined) return this.publish(result)
    // A store of its own may apply the step later, and steps may then overlap: this one keeps its input to itself.
    return Effect.flatMap(
      this.store.modify(
        this.keys,
        (i) => machine.initialGuard(this.call.policy, this.kinds[i]!, input.now),
        (states) => this.applyTo(states, input),
        this.guards
      ),
      (result) => this.publish(result)
    )
  }

  admit(afterMillis: number, commit: boolean): Effect.Effect<RetryCall.Output> {
    return Effect.suspend(() => this.step({ _tag: "Admit", now: this.now(), afterMillis, commit }))
  }

  recheck(): Effect.Effect<RetryCall.Output> {
    return Effect.suspend(() => this.step({ _tag: "Recheck", now: this.now() }))
  }

  succeeded(): Effect.Effect<RetryCall.Output> {
    return Effect.suspend(() => this.step({ _tag: "Succeeded", now: this.now() }))
  }

  /** Draws the jitter from `Random`, then steps. */
  failed(error: CallError.CallError, delayMillis?: number): Effect.Effect<RetryCall.Output> {
    return Effect.flatMap(
      Random.next,
      (draw) => this.step({ _tag: "Failed", now: this.now(), error, draw, delayMillis })
    )
  }

  /** Hedging: the hedge delay of `attempt` passed. */
  hedge(attempt: number): Effect.Effect<RetryCall.Output> {
    return Effect.suspend(() => this.step({ _tag: "Hedge", now: this.now(), attempt }))
  }

  /** Hedging: copy `copy` of the attempt in flight succeeded. */
  copySucceeded(copy: number): Effect.Effect<RetryCall.Output> {
    return Effect.suspend(() => this.step({ _tag: "Succeeded", now: this.now(), copy }))
  }

  /** Hedging: copy `copy` of the attempt in flight failed; draws the jitter from `Random`, then steps. */
  copyFailed(copy: number, error: CallError.CallError): Effect.Effect<RetryCall.Output> {
    return Effect.flatMap(Random.next, (draw) => this.step({ _tag: "Failed", now: this.now(), error, draw, copy }))
  }

  release(reason: RetryCall.AbortReason): Effect.Effect<void> {
    return Effect.suspend(() =>
      machine.isDone(this.call) ?
        Effect.void :
        Effect.asVoid(this.step({ _tag: "Release", now: this.now(), reason }))
    )
  }

  /** One step, done here and now when the store allows it; `undefined` when it needs the store's own effect. */
  private applyNow(input: RetryCall.Input): RetryCall.Result | undefined {
    if (!machine.touchesGuards(this.call, input)) return machine.step(this.call, machine.noGuards, input)
    if (this.store.modifyNow === undefined) return undefined
    // `modifyNow` applies the step before it returns, so the step's input can wait in a field for its callbacks.
    this.input = input
    return this.store.modifyNow(this.keys, this.initial, this.inStore, this.guards)
  }

  private readonly initial = (i: number): unknown =>
    machine.initialGuard(this.call.policy, this.kinds[i]!, this.input!.now)

  private readonly inStore = (states: ReadonlyArray<unknown>) => this.applyTo(states, this.input!)

  /** The step on the guard states the store holds, and the states to store back, in the order of the keys. */
  private applyTo(states: ReadonlyArray<unknown>, input: RetryCall.Input) {
    const guards: { -readonly [K in RetryCall.GuardKind]?: unknown } = { ...machine.noGuards }
    for (let i = 0; i < this.kinds.length; i++) guards[this.kinds[i]!] = states[i]
    const result = machine.step(this.call, guards as RetryCall.Guards, input)
    return [result, this.kinds.map((kind) => result.guards[kind])] as const
  }

  private publish(result: RetryCall.Result): Effect.Effect<RetryCall.Output> {
    this.call = result.call
    if (this.emit === undefined || result.events.length === 0) return Effect.succeed(result.output)
    const events = result.events
    return Effect.as(
      events.length === 1 ? this.emit(events[0]!) : Effect.forEach(events, this.emit, { discard: true }),
      result.output
    )
  }
}
