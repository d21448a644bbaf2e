import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { MemoryOptions, StateStore } from "../StateStore.js"
import { ownedBy } from "./keys.js"
import * as latency from "./latencyTracker.js"
import * as validate from "./validate.js"

/** @internal */
export const defaultMaxEntries = 10_000

/**
 * An in-memory store bounded by least-recently-used eviction. A `Map` keeps insertion order, so touching a key
 * (delete, then set) moves it to the end and the first key is always the least recently used.
 * @internal
 */
export const makeMemory = (options: MemoryOptions = {}): StateStore => {
  const maxEntries = validate.integer("StateStore.makeMemory", "maxEntries", options.maxEntries ?? defaultMaxEntries, 1)
  const states = new Map<string, unknown>()
  const put = (key: string, value: unknown) => {
    states.delete(key)
    states.set(key, value)
    while (states.size > maxEntries) {
      const oldest = states.keys().next()
      if (oldest.done === true) break
      states.delete(oldest.value)
    }
  }
  const modifyNow = <A>(
    keys: ReadonlyArray<string>,
    initial: (index: number) => unknown,
    f: (states: ReadonlyArray<unknown>) => readonly [A, ReadonlyArray<unknown>]
  ): A => {
    const current = keys.map((key, i) => {
      const held = states.get(key)
      return held === undefined && !states.has(key) ? initial(i) : held
    })
    const [result, next] = f(current)
    for (let i = 0; i < keys.length; i++) put(keys[i]!, next[i])
    return result
  }
  return {
    maxEntries,
    modify: (keys, initial, f) => Effect.sync(() => modifyNow(keys, initial, f)),
    modifyNow,
    get: <S>(key: string) => Effect.sync(() => (states.has(key) ? Option.some(states.get(key) as S) : Option.none())),
    keys: Effect.sync(() => [...states.keys()]),
    size: Effect.sync(() => states.size),
    remove: (matches) =>
      Effect.sync(() => {
        for (const key of [...states.keys()]) {
          if (matches(key)) states.delete(key)
        }
      })
  }
}

/** @internal */
export class StateStoreTag extends Context.Reference<StateStoreTag>()("@rebound/core/StateStore", {
  defaultValue: () => makeMemory()
}) {}

/** A scope's guard state, and the latency series its hedging delays read, go together. @internal */
export const releaseScope = (scope: string): Effect.Effect<void> =>
  Effect.flatMap(StateStoreTag, (store) => Effect.zipRight(store.remove(ownedBy(scope)), latency.releaseScope(scope)))

/** @internal */
export const layerMemoryWith = (options?: MemoryOptions): Layer.Layer<never> =>
  Layer.sync(StateStoreTag, () => makeMemory(options))

/** @internal */
export const layerMemory: Layer.Layer<never> = layerMemoryWith()
