/**
 * The fleet scenario: P processes × W workers on one resource, each process with its own guard state ("per process")
 * or all of them sharing it through a fleet store ("fleet"), for B1 (drain), C1 (outage) and C2 (brownout).
 *
 * A fleet store is modelled as `FleetStore` runs it: each process steps its calls on local states with core's lease
 * protocol (`FleetStore.makeProcess`) and reconciles every shared key once per sync interval through one engine whose
 * merge is core's (`FleetStore.merge`), with the engine's round trip drawn from |N(latency, sd)|. So the staleness a
 * real fleet sees — what each process does on its last view between syncs, and the round trip — is in the run.
 *
 * @since 0.1.0
 */
import type * as Client from "./Client.js"
import * as internal from "./internal/fleet.js"

/**
 * The modelled store.
 *
 * @since 0.1.0
 * @category models
 */
export interface Store {
  /** How often each process reconciles each shared key. */
  readonly syncIntervalMillis: number
  /** Mean round trip to the engine. */
  readonly storeLatencyMillis: number
  readonly storeLatencySdMillis: number
  /** How long the fleet keeps a lease or a sender not heard from. */
  readonly leaseTtlMillis: number
}

/**
 * What a run of fleet clients counted.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly counters: { readonly syncs: number }
}

/**
 * The store's defaults: a 250 ms sync interval (`FleetStore`'s default), a 1 ms round trip (Redis in the same zone),
 * 10 s leases.
 *
 * @since 0.1.0
 * @category constructors
 */
export const storeDefaults: Store = internal.storeDefaults

/**
 * Client instances sharing their guards through a modelled fleet store: instance i is process i. As in
 * `FleetStore.make`, the fleet shares the four retry guards (breaker, limiter, budget, quota); a hedge budget stays
 * each process's own.
 *
 * @example
 * ```ts
 * import { Fleet, Policies, Throttled } from "@rebound/simulator"
 *
 * const clients = Fleet.makeClients(Fleet.storeDefaults, 1)
 * const params = { ...Throttled.drainDefaults, clients: 20, instances: 4, items: 200 }
 * const trial = Throttled.drain(params, Policies.guarded[2]!, 1, clients)
 * console.log(trial.completionSeconds, clients.counters.syncs)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClients: (store: Store, seed: number) => Client.MakeClient & Counters = internal.makeClients

/**
 * Client instances each with its own guards (per-process state), for comparison.
 *
 * @since 0.1.0
 * @category constructors
 */
export const perProcess: Client.MakeClient = internal.perProcess
