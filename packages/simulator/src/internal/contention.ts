import type * as Client from "../Client.js"
import * as ClientModule from "../Client.js"
import type * as Contention from "../Contention.js"
import * as EventQueue from "../EventQueue.js"
import * as Rng from "../Rng.js"
import { failures, networkDelay } from "./world.js"

/** @internal */
export const defaults: Contention.Params = { clients: 100, networkMeanMillis: 10, networkSdMillis: 2 }

/**
 * One trial of Brooker's OCC workload: one row with a version; each client reads it, then writes with the version it
 * read; the write succeeds iff the version is unchanged. A failed write is a retryable conflict; an attempt is one
 * read-then-write. Every message takes |N(10 ms, 2 ms)|.
 * @internal
 */
export const trial = (params: Contention.Params, policy: Client.SimPolicy, seed: number): Contention.Trial => {
  const queue = EventQueue.make()
  const network = Rng.stream(seed, "network")
  const net = () => networkDelay(network, params.networkMeanMillis, params.networkSdMillis)
  let version = 0
  let writes = 0
  let completed = 0
  let lastEvent = 0
  const attempt: Client.Transport = (reply) =>
    // read request → server reads the version → response → write request → server compares → response
    queue.after(net(), () => {
      const seen = version
      queue.after(net(), () =>
        queue.after(net(), () => {
          writes++
          const ok = version === seen
          if (ok) version++
          queue.after(net(), () => {
            lastEvent = queue.now
            reply(ok ? "success" : failures.conflict)
          })
        }))
    })
  for (let i = 0; i < params.clients; i++) {
    const client = ClientModule.make(queue, policy, Rng.stream(seed, "jitter", i))
    client.call(attempt, (result) => {
      if (result.succeeded) completed++
    })
  }
  queue.run()
  return { writes, completionMillis: lastEvent / 1000, completed, events: queue.processed }
}
