import { Hedging, LatencyTracker, RetryEvent, StateStore } from "@rebound/core"
import { Testing } from "@rebound/core/testing"
import { Clock, Effect, Ref } from "effect"

/** One request as the service answers it: after `latency` ms, with `outcome` (default success). */
export interface Request {
  readonly latency: number
  readonly outcome?: Testing.Outcome | undefined
}

/** What happened to one request. */
export interface Sent {
  readonly index: number
  /** 0: the attempt itself; k: the call's k-th hedge. */
  readonly copy: number
  readonly at: number
  endedAt?: number
  interruptedAt?: number
}

/**
 * A service that answers its n-th request as `requests[n]` says (the last repeats): each request sleeps on `Clock`,
 * and the log says when each was sent, which copy it was, and when it ended or was interrupted.
 */
export const service = (requests: ReadonlyArray<Request>) =>
  Effect.map(Ref.make<ReadonlyArray<Sent>>([]), (log) => {
    let n = 0
    const call = Effect.gen(function*() {
      const index = n++
      const request = requests[Math.min(index, requests.length - 1)]!
      const sent: Sent = { index, copy: yield* Hedging.currentCopy, at: yield* Clock.currentTimeMillis }
      yield* Ref.update(log, (xs) => [...xs, sent])
      yield* Effect.sleep(request.latency).pipe(
        Effect.onInterrupt(() => Effect.map(Clock.currentTimeMillis, (now) => void (sent.interruptedAt = now)))
      )
      sent.endedAt = yield* Clock.currentTimeMillis
      const failure = Testing.failureOf(request.outcome ?? "success")
      if (failure !== undefined) return yield* Effect.fail(failure)
      return `response ${index}`
    })
    return { call, log: Ref.get(log) }
  })

/** Runs `effect` with a fresh store and tracker, collecting every event. */
export const observed = <A, E>(effect: Effect.Effect<A, E>, store = StateStore.makeMemory()) =>
  Effect.gen(function*() {
    const events: Array<RetryEvent.RetryEvent> = []
    const run = yield* Testing.run(
      effect.pipe(
        RetryEvent.withObserver((event) => Effect.sync(() => void events.push(event))),
        Effect.provideService(StateStore.StateStore, store)
      )
    )
    return { ...run, events }
  })

/** The hedging events, as `tag@instant(copy)`, in order. */
export const hedgeTrace = (events: ReadonlyArray<RetryEvent.RetryEvent>): ReadonlyArray<string> =>
  events.flatMap((e) => {
    switch (e._tag) {
      case "HedgeStarted":
        return [`started#${e.hedge}@${e.at}`]
      case "HedgeWon":
        return [`won#${e.hedge}@${e.at}`]
      case "HedgeCancelled":
        return [`cancelled#${e.copy}@${e.at}`]
      case "HedgeSkipped":
        return [`skipped:${e.reason}@${e.at}`]
      default:
        return []
    }
  })

export const freshTracker = () => LatencyTracker.makeMemory()
