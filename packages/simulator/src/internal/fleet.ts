import { FleetStore, RetryCall } from "@rebound/core"
import type * as Client from "../Client.js"
import * as ClientModule from "../Client.js"
import type * as EventQueue from "../EventQueue.js"
import type * as Fleet from "../Fleet.js"
import * as Rng from "../Rng.js"
import { networkDelay } from "./world.js"

const noKinds: ReadonlyArray<RetryCall.GuardKind> = []

/** @internal */
export const storeDefaults: Fleet.Store = {
  syncIntervalMillis: 250,
  storeLatencyMillis: 1,
  storeLatencySdMillis: 0.2,
  leaseTtlMillis: 10_000
}

/**
 * Client instances whose guard states live in a fleet store: instance i is process i, running core's lease protocol
 * (`FleetStore.makeProcess`) on its local states, and syncing every shared key through one engine — the fleet's
 * records, merged with `FleetStore.merge` — with the store's round trip drawn from |N(latency, sd)|, half each way.
 * A process syncs only while its calls are active, so a run still ends when its work does.
 * @internal
 */
export const makeClients = (store: Fleet.Store, seed: number): Client.MakeClient & Fleet.Counters => {
  const records = new Map<string, unknown>()
  const latency = Rng.stream(seed, "store")
  const counters = { syncs: 0 }
  const trip = () => networkDelay(latency, store.storeLatencyMillis / 2, store.storeLatencySdMillis / 2)
  const make: Client.MakeClient = (queue, policy, jitter, index) => {
    const process = FleetStore.makeProcess({ process: `p${index}`, idleMillis: store.leaseTtlMillis })
    // The states of the keys the fleet does not share: a few per process (one hedge budget per resource).
    const local = new Map<string, unknown>()
    const tick = Math.max(1, Math.round((store.syncIntervalMillis / 4) * 1000))
    let ticking = false
    let active = false
    const sync = (key: string, now: number) => {
      const request = process.prepare(key, now)
      if (request === undefined) return
      counters.syncs++
      queue.after(trip(), () => {
        const [record, answer] = FleetStore.merge(request, records.get(key), queue.now / 1000, store)
        if (record !== undefined) records.set(key, record)
        queue.after(trip(), () => process.adopt(request, answer, queue.now / 1000, 0))
      })
    }
    const onTick = () => {
      const now = queue.now / 1000
      for (const key of process.keys()) {
        if (process.due(key, now, store.syncIntervalMillis)) sync(key, now)
      }
      if (active) {
        active = false
        queue.after(tick, onTick)
      } else {
        ticking = false
      }
    }
    const holder: Client.GuardHolder = (call, input) => {
      active = true
      if (!ticking) {
        ticking = true
        queue.after(0, onTick)
      }
      if (!RetryCall.touchesGuards(call, input)) return RetryCall.step(call, RetryCall.noGuards, input)
      const present = RetryCall.guardKinds.filter((kind) => call.keys[kind] !== undefined)
      // As `FleetStore.make` does: the fleet shares the four retry guards; every other key (the hedge budget) stays
      // the process's own, stepped in the same step.
      const shared = present.filter((kind) => FleetStore.isGuardKey(call.keys[kind]!))
      const own = shared.length === present.length ? noKinds : present.filter((kind) => !shared.includes(kind))
      const now = queue.now / 1000
      const stepOn = (states: ReadonlyArray<unknown>) => {
        const guards: { -readonly [K in RetryCall.GuardKind]?: unknown } = {}
        shared.forEach((kind, i) => (guards[kind] = states[i]))
        for (const kind of own) {
          const key = call.keys[kind]!
          guards[kind] = local.has(key) ? local.get(key) : RetryCall.initialGuard(call.policy, kind, now)
        }
        const result = RetryCall.step(call, { ...RetryCall.noGuards, ...guards } as RetryCall.Guards, input)
        for (const kind of own) local.set(call.keys[kind]!, result.guards[kind])
        return [result, shared.map((kind) => result.guards[kind])] as const
      }
      if (shared.length === 0) return stepOn([])[0]
      return process.step(
        shared.map((kind) => call.keys[kind]!),
        shared.map((kind) => RetryCall.guardOf(call.policy, kind)!),
        (i) => RetryCall.initialGuard(call.policy, shared[i]!, now),
        stepOn,
        now
      )
    }
    // A named scope (no `#n`): the fleet store shares every key of it across the processes.
    return ClientModule.make(queue, policy, jitter, { holder, scope: "Simulated(fleet)", resource: "table" })
  }
  return Object.assign(make, { counters })
}

/** Per-process state: each instance (process) keeps its own guards, shared by its workers. @internal */
export const perProcess: Client.MakeClient = (
  queue: EventQueue.EventQueue,
  policy: Client.SimPolicy,
  jitter: Rng.Stream,
  index: number
) => ClientModule.make(queue, policy, jitter, { scope: `Simulated(p${index})#${index}`, resource: "table" })
