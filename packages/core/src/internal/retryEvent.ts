import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import type * as CallError from "../CallError.js"
import type * as Events from "../RetryEvent.js"

/** @internal */
export const RetryEvent = Data.taggedEnum<Events.RetryEvent>()

/**
 * A set with a patch-based differ (like Effect's own `currentLoggers`), so observers added by layers built in
 * parallel — `Layer.merge(logs, metrics)` — are all kept when their fibers join.
 * @internal
 */
export const currentObservers: FiberRef.FiberRef<HashSet.HashSet<Events.RetryObserver>> = FiberRef.unsafeMakeHashSet(
  HashSet.empty<Events.RetryObserver>()
)

const none: ReadonlyArray<Events.RetryObserver> = []

/** @internal */
export const observers: Effect.Effect<ReadonlyArray<Events.RetryObserver>> = Effect.map(
  FiberRef.get(currentObservers),
  (set) => (HashSet.size(set) === 0 ? none : HashSet.toValues(set))
)

/** @internal */
export const addObserver = (observer: Events.RetryObserver): Layer.Layer<never> =>
  Layer.scopedDiscard(Effect.locallyScopedWith(currentObservers, HashSet.add(observer)))

/** @internal */
export const withObserver = dual<
  (observer: Events.RetryObserver) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, observer: Events.RetryObserver) => Effect.Effect<A, E, R>
>(2, (self, observer) => Effect.locallyWith(self, currentObservers, HashSet.add(observer)))

/**
 * One function that hands an event to every observer; `undefined` when there are none, so callers build no event.
 * @internal
 */
export type Emit = ((event: Events.RetryEvent) => Effect.Effect<void>) | undefined

/** @internal */
export const emitter = (all: ReadonlyArray<Events.RetryObserver>): Emit =>
  all.length === 0 ?
    undefined :
    all.length === 1 ?
    all[0] :
    (event) => Effect.forEach(all, (observe) => observe(event), { discard: true })

/** @internal */
export const failureInfo = (error: CallError.CallError): Events.FailureInfo => ({
  tag: error._tag,
  failureClass: error.failureClass,
  code: error.code,
  reason: "reason" in error ? error.reason : undefined,
  ambiguous: error.ambiguous,
  httpStatus: error.httpStatus,
  requestId: error.requestId,
  retryAfterMillis: error.retryAfter === undefined ? undefined : Duration.toMillis(error.retryAfter)
})
