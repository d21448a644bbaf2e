/**
 * Where the state of quotas, budgets, limiters and breakers lives: a keyed, bounded store service. The state machines
 * are pure; the store applies one call step — the transitions of every guard the step touches — atomically.
 *
 * **Who owns a key.** A guard's key is `kind/name/owner[/resource]`. The owner is the call's `scope` when it has one —
 * each `@rebound/aws` service layer gives its SDK client its own scope, so two clients (two regions, two endpoints,
 * two layers built separately) never share a breaker or a quota by accident, and the layer removes its scope's state
 * when it closes — or else the `service` label the caller passed to `RetryPolicy.retry`. The resource (a table, a
 * bucket prefix, a function) comes next, so one hot resource does not starve the others. To share state on purpose,
 * give services the same `guardScope`, or give a guard a `key` function of your own (`key: () => "payments"`).
 * One guard is the process's by design: a limiter made with `share: "process"` (`AdaptiveLimiter.rebound`, the
 * default's) is keyed `limiter/name/place/resource/operation`, where the place is the scope without its instance number
 * (`DynamoDB(eu-west-1)#3` → `DynamoDB(eu-west-1)`), so every client of the process that calls the same operation on
 * the same resource feeds and uses one limiter; it outlives any one client, and the store's bound evicts it.
 *
 * **Bounded.** The in-memory store holds at most `maxEntries` states (default 10,000) and evicts the least recently
 * used: memory stays constant however many keys pass through it. An evicted guard starts again from its initial state
 * (a full quota, a closed breaker), which is what a guard unused for that long would be anyway.
 *
 * **Fleet-wide.** The interface is small and asynchronous, so a store can keep state elsewhere (Redis, DynamoDB) and
 * arbitrate it there; `modify` must apply its function to the states of every key it is given as one atomic step.
 * `FleetStore` does so without a round trip per step: each process leases its slice of the fleet's state and
 * reconciles in the background (see its documentation; `@rebound/redis` and `@rebound/aws`'s `DynamoDBStore` are its
 * engines).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as AdaptiveLimiter from "./AdaptiveLimiter.js"
import type * as CircuitBreaker from "./CircuitBreaker.js"
import type * as Hedging from "./Hedging.js"
import * as internal from "./internal/stateStore.js"
import type * as RetryBudget from "./RetryBudget.js"
import type * as RetryQuota from "./RetryQuota.js"

/**
 * The guard a key belongs to: its configuration, which a fleet store needs to lease and merge its state.
 *
 * @since 0.1.0
 * @category models
 */
export type Guard =
  | CircuitBreaker.CircuitBreaker
  | AdaptiveLimiter.AdaptiveLimiter
  | RetryBudget.RetryBudget
  | RetryQuota.RetryQuota
  | Hedging.Hedging

/**
 * Where guard state lives: a keyed store whose `modify` is one atomic step.
 *
 * @since 0.1.0
 * @category models
 */
export interface StateStore {
  /**
   * Applies `f` to the states under `keys` (each created with `initial(index)` when absent) as one atomic step, and
   * stores the states it returns, in the same order. `guards`, when given, are the guards the keys belong to, in the
   * same order (a fleet store needs them; an in-process store ignores them).
   */
  readonly modify: <A>(
    keys: ReadonlyArray<string>,
    initial: (index: number) => unknown,
    f: (states: ReadonlyArray<unknown>) => readonly [A, ReadonlyArray<unknown>],
    guards?: ReadonlyArray<Guard>
  ) => Effect.Effect<A>
  /**
   * The same step done synchronously, for stores that hold their state in this process; the interpreter uses it to
   * skip a fiber step per transition. Optional: remote stores leave it out.
   */
  readonly modifyNow?: <A>(
    keys: ReadonlyArray<string>,
    initial: (index: number) => unknown,
    f: (states: ReadonlyArray<unknown>) => readonly [A, ReadonlyArray<unknown>],
    guards?: ReadonlyArray<Guard>
  ) => A
  /** The state under `key`, if any. */
  readonly get: <S>(key: string) => Effect.Effect<Option.Option<S>>
  /** Every key held. */
  readonly keys: Effect.Effect<ReadonlyArray<string>>
  /** How many states are held. */
  readonly size: Effect.Effect<number>
  /** Removes every state whose key matches (a closing scope releases its state this way). */
  readonly remove: (matches: (key: string) => boolean) => Effect.Effect<void>
  /** The bound on held states, if the store has one. */
  readonly maxEntries?: number | undefined
}

/**
 * Options of {@link makeMemory}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryOptions {
  /** Most states held; the least recently used is evicted beyond it. Default 10,000. Must be an integer ≥ 1. */
  readonly maxEntries?: number | undefined
}

/**
 * The store in context. Its default is a process-wide in-memory store bounded at 10,000 states; keys are owned per
 * client instance (see the module's documentation), not by the process.
 *
 * @since 0.1.0
 * @category context
 */
export const StateStore: typeof internal.StateStoreTag = internal.StateStoreTag

/**
 * A fresh in-memory store, bounded by least-recently-used eviction. One step is one synchronous transition, so
 * concurrent fibers never interleave inside it.
 *
 * @example
 * ```ts
 * import { StateStore } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const store = StateStore.makeMemory({ maxEntries: 1_000 })
 * const size = Effect.runSync(store.size) // 0
 * ```
 *
 * @example
 * ```ts
 * import { StateStore } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const store = StateStore.makeMemory()
 * // One atomic step over one key: count calls.
 * const next = store.modify(["calls"], () => 0, ([n]) => [(n as number) + 1, [(n as number) + 1]] as const)
 * console.log(Effect.runSync(Effect.zipRight(next, next))) // 2
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: (options?: MemoryOptions) => StateStore = internal.makeMemory

/**
 * A layer providing a fresh in-memory store (default bound), e.g. to isolate tests or to give a component its own
 * quotas.
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

/**
 * A layer providing a fresh in-memory store with options.
 *
 * @example
 * ```ts
 * import { StateStore } from "@rebound/core"
 *
 * const small = StateStore.layerMemoryWith({ maxEntries: 500 })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemoryWith: (options?: MemoryOptions) => Layer.Layer<never> = internal.layerMemoryWith

/**
 * Removes every guard state a scope owns from the store in context, and the latency series hedging keeps for it in the
 * `LatencyTracker` in context — what a service layer does for its client instance when it closes, so state never
 * outlives its owner.
 *
 * @example
 * ```ts
 * import { StateStore } from "@rebound/core"
 *
 * const closing = StateStore.releaseScope("DynamoDB(eu-west-1)#1")
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const releaseScope: (scope: string) => Effect.Effect<void> = internal.releaseScope
