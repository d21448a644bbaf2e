import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { StateStore } from "../StateStore.js"

/** @internal */
export const makeMemory = (): StateStore => {
  const states = new Map<string, unknown>()
  return {
    modify: <S, A>(key: string, initial: () => S, f: (state: S) => readonly [A, S]) =>
      Effect.sync(() => {
        const current = states.has(key) ? (states.get(key) as S) : initial()
        const [result, next] = f(current)
        states.set(key, next)
        return result
      }),
    get: <S>(key: string) => Effect.sync(() => states.has(key) ? Option.some(states.get(key) as S) : Option.none()),
    keys: Effect.sync(() => [...states.keys()])
  }
}

/** @internal */
export class StateStoreTag extends Context.Reference<StateStoreTag>()("@rebound/core/StateStore", {
  defaultValue: makeMemory
}) {}

/** @internal */
export const layerMemory: Layer.Layer<never> = Layer.sync(StateStoreTag, makeMemory)
