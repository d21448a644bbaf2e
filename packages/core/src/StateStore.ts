/**
 * Where the state of quotas, budgets, limiters and breakers lives: a keyed store service. The state machines are pure;
 * the store applies one transition atomically per call. The default is an in-memory store shared by the whole process
 * (like an SDK client's quota, which lives as long as the client); provide {@link layerMemory} to get a fresh one, or
 * a layer of your own to keep state elsewhere.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as internal from "./internal/stateStore.js"

/**
 * Where guard state lives: a keyed store whose `modify` is one atomic step.
 *
 * @since 0.1.0
 * @category models
 */
export interface StateStore {
  /**
   * Applies `f` to the state under `key` (created with `initial` when absent) as one atomic step, returning its result.
   */
  readonly modify: <S, A>(key: string, initial: () => S, f: (state: S) => readonly [A, S]) => Effect.Effect<A>
  /** The state under `key`, if any. */
  readonly get: <S>(key: string) => Effect.Effect<Option.Option<S>>
  /** Every key held. */
  readonly keys: Effect.Effect<ReadonlyArray<string>>
}

/**
 * The store in context. Its default is a process-wide in-memory store.
 *
 * @since 0.1.0
 * @category context
 */
export const StateStore: typeof internal.StateStoreTag = internal.StateStoreTag

/**
 * A fresh in-memory store. One transition is one synchronous step, so concurrent fibers never interleave inside it.
 *
 * @example
 * ```ts
 * import { StateStore } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const store = StateStore.makeMemory()
 * const next = store.modify("calls", () => 0, (n) => [n + 1, n + 1] as const)
 * console.log(Effect.runSync(Effect.zipRight(next, next))) // 2
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: () => StateStore = internal.makeMemory

/**
 * A layer providing a fresh in-memory store, e.g. to isolate tests or to give a component its own quotas.
 *
 * @example
 * ```ts
 * import { StateStore } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const program: Effect.Effect<void> = Effect.void // your program
 * const isolated = program.pipe(Effect.provide(StateStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<never> = internal.layerMemory
