import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import type * as FleetStore from "../FleetStore.js"
import type { RetryEvent as Event } from "../RetryEvent.js"
import type { Guard, StateStore } from "../StateStore.js"
import * as fleet from "./fleet.js"
import { observers, RetryEvent } from "./retryEvent.js"
import { makeMemory, StateStoreTag } from "./stateStore.js"

/** Keys owned by one SDK client instance (`Service(…)#<n>`, see `@rebound/aws`) are that process's own: never shared. */
const instanceOwned = /^[^/]+\/[^/]+\/[A-Za-z0-9]+\([^)]*\)#\d+(\/|$)/

/** @internal */
export const sharedByDefault = (key: string): boolean => !instanceOwned.test(key)

/** @internal */
export const make = (
  engine: FleetStore.Engine,
  options: FleetStore.Options = {}
): Effect.Effect<StateStore, never, Scope.Scope> => {
  // Bad options fail at once, naming the field, like every other constructor.
  const settings = fleet.validateOptions("FleetStore.make", options)
  return Effect.gen(function*() {
    const name = options.process ?? `p-${(yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)}`
    const share = options.share ?? sharedByDefault
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    const all = yield* observers
    const emit = (event: Event) => Effect.forEach(all, (observe) => observe(event), { discard: true })
    const process = new fleet.Process({
      process: name,
      maxEntries: settings.maxEntries,
      idleMillis: settings.leaseTtlMillis
    })
    const local = makeMemory({ maxEntries: settings.maxEntries })
    const wake = yield* Queue.dropping<void>(1)
    let offset = 0
    let downSince: number | undefined = undefined

    const shared = (key: string, guard: Guard | undefined) =>
      guard !== undefined && fleet.Process.shares(key) && share(key)

    const modifyNow = <A>(
      keys: ReadonlyArray<string>,
      initial: (index: number) => unknown,
      f: (states: ReadonlyArray<unknown>) => readonly [A, ReadonlyArray<unknown>],
      guards?: ReadonlyArray<Guard>
    ): A => {
      const fleetIdx: Array<number> = []
      const localIdx: Array<number> = []
      for (let i = 0; i < keys.length; i++) (shared(keys[i]!, guards?.[i]) ? fleetIdx : localIdx).push(i)
      if (fleetIdx.length === 0) return local.modifyNow!(keys, initial, f)
      const at = now()
      const fleetKeys = fleetIdx.map((i) => keys[i]!)
      const result = process.step(
        fleetKeys,
        fleetIdx.map((i) => guards![i]!),
        (j) => initial(fleetIdx[j]!),
        (fleetStates) => {
          if (localIdx.length === 0) return f(fleetStates)
          // Keys this store keeps to itself join the same step, so it stays one atomic step.
          const [[a, next]] = [local.modifyNow!(
            localIdx.map((i) => keys[i]!),
            (j) => initial(localIdx[j]!),
            (localStates) => {
              const states = new Array<unknown>(keys.length)
              fleetIdx.forEach((i, j) => (states[i] = fleetStates[j]))
              localIdx.forEach((i, j) => (states[i] = localStates[j]))
              const [value, after] = f(states)
              return [[value, after] as const, localIdx.map((i) => after[i])]
            }
          )]
          return [a, fleetIdx.map((i) => next[i])]
        },
        at
      )
      if (fleetKeys.some((key) => process.due(key, at, settings.intervalMillis) && process.isNew(key))) {
        wake.unsafeOffer(undefined)
      }
      return result
    }

    const fellBack = (reason: string) =>
      Effect.suspend(() => {
        if (downSince !== undefined) return Effect.void
        downSince = now()
        return emit(RetryEvent.StoreFellBack({ store: engine.name, reason, at: downSince }))
      })
    const resumed = Effect.suspend(() => {
      if (downSince === undefined) return Effect.void
      const at = now()
      const downMillis = at - downSince
      downSince = undefined
      return emit(RetryEvent.StoreResumed({ store: engine.name, downMillis, at }))
    })

    const syncKey = (key: string): Effect.Effect<boolean> =>
      Effect.suspend(() => {
        const sentAt = now()
        const request = process.prepare(key, sentAt)
        if (request === undefined) return Effect.succeed(true)
        return engine.update(key, (record, serverNow) => {
          const [next, answer] = fleet.merge(request, record, serverNow, settings)
          return [next, answer] as const
        }).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(settings.timeoutMillis),
            onTimeout: () => "timeout" as const
          }),
          Effect.matchEffect({
            onFailure: (error) =>
              Effect.sync(() => process.failed(request)).pipe(
                Effect.zipRight(fellBack(typeof error === "string" ? error : error.reason)),
                Effect.as(false)
              ),
            onSuccess: ({ nowMillis, value }) =>
              Effect.sync(() => {
                const receivedAt = now()
                // The engine's clock less ours, measured at the middle of the round trip.
                offset = nowMillis - (sentAt + receivedAt) / 2
                process.adopt(request, value, receivedAt, offset)
              }).pipe(Effect.zipRight(resumed), Effect.as(true))
          })
        )
      })

    const syncDue = Effect.suspend(() => {
      const at = now()
      const due = process.keys().filter((key) => process.due(key, at, settings.intervalMillis))
      return Effect.forEach(due, syncKey, { concurrency: 16, discard: true })
    })

    const tick = Duration.millis(Math.max(1, settings.intervalMillis / 4))
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.race(Queue.take(wake), Effect.sleep(tick)), syncDue))
    )
    // On close, what the process holds goes back to the fleet (bounded by the sync timeout).
    yield* Effect.addFinalizer(() =>
      Effect.forEach(process.keys(), syncKey, { concurrency: 16, discard: true }).pipe(
        Effect.timeout(Duration.millis(settings.timeoutMillis)),
        Effect.ignore
      )
    )

    const store: StateStore = {
      maxEntries: settings.maxEntries,
      modify: (keys, initial, f, guards) => Effect.sync(() => modifyNow(keys, initial, f, guards)),
      modifyNow,
      get: <S>(key: string) =>
        Effect.suspend(() => process.has(key) ? Effect.succeed(Option.some(process.get(key) as S)) : local.get<S>(key)),
      keys: Effect.map(local.keys, (keys) => [...process.keys(), ...keys]),
      size: Effect.map(local.size, (size) => process.size + size),
      remove: (matches) => Effect.zipRight(Effect.sync(() => process.remove(matches)), local.remove(matches))
    }
    return store
  })
}

/** @internal */
export const layer = <E, R>(
  engine: Effect.Effect<FleetStore.Engine, E, R>,
  options?: FleetStore.Options
): Layer.Layer<never, E, Exclude<R, Scope.Scope>> =>
  Layer.scoped(StateStoreTag, Effect.flatMap(engine, (e) => make(e, options)))

/** @internal */
export const memoryEngine = (
  options: { readonly name?: string | undefined } = {}
): FleetStore.Engine & { readonly records: ReadonlyMap<string, unknown> } => {
  const records = new Map<string, unknown>()
  return {
    records,
    name: options.name ?? "memory",
    update: (key, f) =>
      Effect.map(Clock.currentTimeMillis, (nowMillis) => {
        const [next, value] = f(records.get(key), nowMillis)
        // Stored as a remote engine stores it: serialized, so what cannot cross the wire cannot pass here either.
        if (next !== undefined) records.set(key, JSON.parse(JSON.stringify(next)))
        return { value, nowMillis }
      })
  }
}
