/**
 * Fleet-wide guards: one retry quota, budget, rate limiter and circuit breaker for every process that calls the same
 * resource, kept by an engine the fleet already runs (Redis through `@rebound/redis`, DynamoDB through
 * `@rebound/aws`'s `DynamoDBStore`) — without a network round trip on the call path.
 *
 * **Leased, not remote.** Every call steps on this process's local copy of the guard state, synchronously, exactly as
 * with the in-memory store. A background fiber reconciles each shared key with the engine every `syncInterval`
 * (default 250 ms): the process reports what its calls did since the last sync, the engine merges the report into the
 * fleet's record in one atomic step on its own clock, and the process adopts the answer. Each guard has its own pure
 * lease or merge transition, in its own module:
 *
 * | guard | fleet-wide | what one process may do between syncs (the staleness) |
 * | --- | --- | --- |
 * | retry quota | a pool of tokens; each process leases a slice (twice what it spent in the last interval, at least two retries' worth) and gives back its surplus | spend its slice: the fleet never spends more than the capacity, except the provisional slices of processes that have not reached the engine yet, taken back at their next sync |
 * | retry budget | requests and retries (or tokens) summed over the fleet, by deltas | decide on the fleet's counts as of its last sync plus its own: the fleet may overspend by what the other processes spend in one interval |
 * | adaptive limiter (send-rate: `AdaptiveLimiter.aws` and variants) | one CUBIC controller fed by every process's attempts and throttles; each process sends at its share (the rate ÷ the processes sending) | send at its share as of the last sync; its own throttles lower its own rate at once |
 * | adaptive limiter (admitted-rate: `AdaptiveLimiter.rebound`) | not merged: shared by the process only | — |
 * | circuit breaker | the latest transition anywhere wins: one process's trip opens it for all, a probe holds the others back, its success closes it everywhere | trip and probe on its own until the next sync |
 *
 * **Never a single point of failure.** Calls never wait for the engine. A sync that fails or takes longer than
 * `syncTimeout` leaves the process on its local state — its quota slice, its last view of the budget and the rate —
 * and publishes `RetryEvent.StoreFellBack`; the deltas it could not report are kept and reported at the next sync
 * that succeeds, which publishes `RetryEvent.StoreResumed`. Observers must be in the context the store's layer is
 * built in.
 *
 * **Which keys.** By default every guard key is shared, except those owned by one SDK client instance (the scopes
 * `@rebound/aws` makes per client, `DynamoDB(…)#3`), which name the same thing in no two processes: give the service
 * layers of the fleet the same `guardScope` to share their guards.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as fleet from "./internal/fleet.js"
import * as internal from "./internal/fleetStore.js"
import type { Guard, StateStore } from "./StateStore.js"

/**
 * Why an engine could not answer: `unreachable` (no connection), `timeout`, `conflict` (too many concurrent writers
 * in a row), `rejected` (the engine refused the request), or an engine's own error code. Never a message that could
 * carry a credential.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 *
 * const error = new FleetStore.EngineError({ engine: "redis", reason: "unreachable" })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class EngineError extends Data.TaggedError("EngineError")<{
  readonly engine: string
  readonly reason: string
}> {
  override get message(): string {
    return `the fleet store's engine ${this.engine} did not answer: ${this.reason}`
  }
}

/**
 * A distributed engine that keeps the fleet's records: one record per key, changed by compare-and-set.
 *
 * @since 0.1.0
 * @category models
 */
export interface Engine {
  /** For events and logs, e.g. `redis` or `dynamodb:guards`. */
  readonly name: string
  /**
   * Reads the record under `key` (`undefined` when absent), applies `f` with the engine's time in milliseconds, and
   * stores the record `f` returns (nothing when it returns `undefined`) — atomically: when another writer changed the
   * record in between, `f` runs again on the new one. Answers `f`'s value and the time it ran at.
   */
  readonly update: <A>(
    key: string,
    f: (record: unknown, nowMillis: number) => readonly [unknown, A]
  ) => Effect.Effect<{ readonly value: A; readonly nowMillis: number }, EngineError>
}

/**
 * How a fleet store syncs with its engine: how often, how long a sync may take before the process falls back to its
 * local state, and which keys are shared.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How often each shared key is reconciled. Default 250 ms. */
  readonly syncInterval?: Duration.DurationInput | undefined
  /** How long a sync may take before the process goes on without it. Default 200 ms. */
  readonly syncTimeout?: Duration.DurationInput | undefined
  /** How long the fleet keeps a lease (and counts a sender) that is not renewed. Default 10 s. */
  readonly leaseTtl?: Duration.DurationInput | undefined
  /** This process's name in the fleet's records. Default: random. */
  readonly process?: string | undefined
  /** Which keys to share. Default: every guard key not owned by one SDK client instance. */
  readonly share?: ((key: string) => boolean) | undefined
  /** Most keys held in this process. Default 10,000. */
  readonly maxEntries?: number | undefined
}

/**
 * A fleet store on `engine`, running its reconciliation fiber in the current scope.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const store = Effect.scoped(FleetStore.make(FleetStore.memoryEngine(), { syncInterval: "100 millis" }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (engine: Engine, options?: Options) => Effect.Effect<StateStore, never, Scope.Scope> = internal.make

/**
 * A layer providing a fleet store as the `StateStore`, on an engine built in the layer's scope.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const fleetWide = <A, E>(program: Effect.Effect<A, E>) =>
 *   program.pipe(Effect.provide(FleetStore.layer(Effect.succeed(FleetStore.memoryEngine()))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: <E, R>(
  engine: Effect.Effect<Engine, E, R>,
  options?: Options
) => Layer.Layer<never, E, Exclude<R, Scope.Scope>> = internal.layer

/**
 * An engine in this process's memory, on `Clock`: for tests, and for several stores in one process.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 *
 * const engine = FleetStore.memoryEngine({ name: "shared" })
 * console.log(engine.records.size) // 0
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryEngine: (options?: { readonly name?: string | undefined }) => Engine & {
  readonly records: ReadonlyMap<string, unknown>
} = internal.memoryEngine

/**
 * Whether a key is shared by default: every guard key except those owned by one SDK client instance.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 *
 * FleetStore.sharedByDefault("quota/aws-2026/orders-fleet/orders") // true
 * FleetStore.sharedByDefault("quota/aws-2026/DynamoDB(us-east-1)#3/orders") // false
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const sharedByDefault: (key: string) => boolean = internal.sharedByDefault

// ---------------------------------------------------------------------------------------------------------------
// The protocol as pure data, for shells other than the Effect one (the simulator).

/**
 * One key's report to the fleet (its instants on the process's clock, moved onto the engine's by the merge).
 *
 * @since 0.1.0
 * @category protocol
 */
export type Request = fleet.Request

/**
 * The fleet's answer to a report.
 *
 * @since 0.1.0
 * @category protocol
 */
export type Answer = fleet.Answer

/**
 * One process's side of the lease protocol: the local guard states its calls step on, the deltas they made, and the
 * reports and adoptions that tie them to the fleet. Deterministic; every method takes the local time.
 *
 * @since 0.1.0
 * @category protocol
 */
export interface Process {
  readonly size: number
  readonly keys: () => ReadonlyArray<string>
  readonly get: (key: string) => unknown
  /** One call step on local states, recording its deltas. */
  readonly step: <A>(
    keys: ReadonlyArray<string>,
    guards: ReadonlyArray<Guard>,
    initial: (index: number) => unknown,
    f: (states: ReadonlyArray<unknown>) => readonly [A, ReadonlyArray<unknown>],
    nowMillis: number
  ) => A
  /** Whether a key should sync now. */
  readonly due: (key: string, nowMillis: number, intervalMillis: number) => boolean
  /** Starts a sync: the report to send (its deltas leave the process until adopted or failed). */
  readonly prepare: (key: string, nowMillis: number) => Request | undefined
  /** Adopts the fleet's answer. */
  readonly adopt: (request: Request, answer: Answer, nowMillis: number, offsetMillis: number) => void
  /** A report that never reached the fleet: its deltas go back. */
  readonly failed: (request: Request) => void
}

/**
 * A process's side of the protocol, as a fleet store runs it.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 *
 * const process = FleetStore.makeProcess({ process: "worker-1" })
 * ```
 *
 * @since 0.1.0
 * @category protocol
 */
export const makeProcess = (options: {
  readonly process: string
  readonly maxEntries?: number | undefined
  readonly idleMillis?: number | undefined
}): Process => {
  const p = new fleet.Process({
    process: options.process,
    maxEntries: options.maxEntries ?? 10_000,
    idleMillis: options.idleMillis ?? 10_000
  })
  return {
    get size() {
      return p.size
    },
    keys: () => p.keys(),
    get: (key) => p.get(key),
    step: (keys, guards, initial, f, nowMillis) => p.step(keys, guards, initial, f, nowMillis),
    due: (key, nowMillis, intervalMillis) => p.due(key, nowMillis, intervalMillis),
    prepare: (key, nowMillis) => p.prepare(key, nowMillis),
    adopt: (request, answer, nowMillis, offsetMillis) => p.adopt(request, answer, nowMillis, offsetMillis),
    failed: (request) => p.failed(request)
  }
}

/**
 * The fleet's step for one report: the record under its key and the engine's time give the record to store
 * (`undefined`: nothing changed) and the answer. Pure; an engine runs it inside its compare-and-set.
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 *
 * const mergeFirst = (request: FleetStore.Request) => {
 *   const [record, answer] = FleetStore.merge(request, undefined, 1_000, { leaseTtlMillis: 10_000 })
 *   return { record, answer }
 * }
 * ```
 *
 * @since 0.1.0
 * @category protocol
 */
export const merge: (
  request: Request,
  record: unknown,
  nowMillis: number,
  options: { readonly leaseTtlMillis: number }
) => readonly [unknown, Answer] = fleet.merge

/**
 * Whether a store key is one the protocol can share (a quota, budget, limiter or breaker key).
 *
 * @example
 * ```ts
 * import { FleetStore } from "@rebound/core"
 *
 * FleetStore.isGuardKey("limiter/aws-adaptive/orders") // true
 * ```
 *
 * @since 0.1.0
 * @category protocol
 */
export const isGuardKey: (key: string) => boolean = fleet.Process.shares
