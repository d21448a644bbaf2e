// rebound's default policy with no options at all — `DynamoDB.make` told only where the lab is — against the lab's
// capacity model and fault proxy, over real HTTP with the real SDK client. The goals are asserted on what the lab
// saw and on the run's own timing against the bound the table's capacity sets, never on how long the test took.
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { expect, layer } from "@effect/vitest"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { Fault, Lab } from "@rebound/aws/testing"
import { AdaptiveLimiter, StateStore } from "@rebound/core"
import { Clock, Effect, Exit, Fiber, Option, Ref } from "effect"

/** Where the lab is, and nothing else: every retry setting is rebound's default. */
const where = (lab: Lab.Lab) => {
  const { credentials, endpoint, region } = lab.clientConfig.dynamodb
  return { region, endpoint, credentials }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

/**
 * `callers` callers each send `perCaller` requests one after another; returns how many succeeded and the instant
 * (Clock, ms) of the first send and of the last success.
 */
const closedLoop = <E>(
  callers: number,
  perCaller: number,
  send: (caller: number, k: number) => Effect.Effect<unknown, E>
) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const lastSuccess = yield* Ref.make(start)
    const exits = yield* Effect.forEach(
      range(callers),
      (caller) =>
        Effect.forEach(range(perCaller), (k) =>
          send(caller, k).pipe(
            Effect.tap(() => Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(lastSuccess, now))),
            Effect.exit
          )),
      { concurrency: "unbounded" }
    )
    return {
      succeeded: exits.flat().filter(Exit.isSuccess).length,
      failures: exits.flat().filter(Exit.isFailure),
      seconds: ((yield* Ref.get(lastSuccess)) - start) / 1000
    }
  })

layer(Lab.layer({ tables: ["reads", "outage", "drain", "shared", "other"] }), {
  excludeTestServices: true,
  timeout: "5 minutes"
})(
  "the default policy, with no options, against the lab",
  (it) => {
    it.scoped(
      "throttled reads: 50 callers, 500 GetItems, 10 reads/s with a burst of 10 — all read, ≤ 1.10 × the bound, ≤ 1.2 attempts each",
      () =>
        Effect.gen(function*() {
          const lab = yield* Lab.Lab
          yield* lab.clear
          yield* lab.setTable("reads", { readPerSecond: 10, writePerSecond: 10, burst: "1 second" })
          const ddb = yield* DynamoDB.make(where(lab))
          const run = yield* closedLoop(
            50,
            10,
            (caller, k) => ddb.send(new GetItemCommand({ TableName: "reads", Key: { pk: { S: `${caller}-${k}` } } }))
          )
          const attempts = (yield* lab.log).filter((e) => e.operation === "GetItem").length
          // The table's own bound: the burst, then 10 reads a second.
          const bound = (500 - 10) / 10
          console.log(
            `lab reads: ${run.succeeded}/500 in ${run.seconds.toFixed(1)} s = ${(run.seconds / bound).toFixed(3)} × ` +
              `bound, ${(attempts / 500).toFixed(3)} attempts per read`
          )
          expect(run.failures).toEqual([])
          expect(run.succeeded).toBe(500)
          expect(run.seconds / bound).toBeLessThanOrEqual(1.1)
          expect(attempts / 500).toBeLessThanOrEqual(1.2)
        }),
      { timeout: 180_000 }
    )

    it.scoped(
      "a 12 s outage at 200 calls/s costs ≤ 1.1 × its offered load, and the first success comes ≤ 1 s after the service returns",
      () =>
        Effect.gen(function*() {
          const lab = yield* Lab.Lab
          yield* lab.clear
          const ddb = yield* DynamoDB.make(where(lab))
          const offeredAt = yield* Ref.make<ReadonlyArray<number>>([])
          const successesAt = yield* Ref.make<ReadonlyArray<number>>([])
          let n = 0
          // Each call in its own fiber: an open loop that does not slow down when calls fail.
          const call = Effect.gen(function*() {
            yield* Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(offeredAt, (xs) => [...xs, now]))
            const key = `${n++}`
            const exit = yield* Effect.exit(
              ddb.send(new GetItemCommand({ TableName: "outage", Key: { pk: { S: key } } }))
            )
            if (Exit.isSuccess(exit)) {
              yield* Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(successesAt, (xs) => [...xs, now]))
            }
          })
          // 200 calls a second by the clock: each tick starts the calls that are due, however late the tick came.
          const began = yield* Clock.currentTimeMillis
          let issued = 0
          const tick = Effect.gen(function*() {
            const due = Math.floor(((yield* Clock.currentTimeMillis) - began) * 0.2)
            for (; issued < due; issued++) yield* Effect.forkScoped(call)
            yield* Effect.sleep("10 millis")
          })
          const load = yield* Effect.forkScoped(Effect.forever(tick))
          yield* Effect.sleep("1 second")
          // The outage: every DynamoDB request answered 503 by the proxy for 12 s.
          yield* lab.chaos({ seed: 15, service: "dynamodb", probabilities: { serverError: 1 } })
          const down = yield* Clock.currentTimeMillis
          yield* Effect.sleep("12 seconds")
          const during = yield* lab.log
          yield* lab.clear
          const up = yield* Clock.currentTimeMillis
          yield* Effect.sleep("3 seconds")
          yield* Fiber.interrupt(load)
          const offered = (yield* Ref.get(offeredAt)).filter((t) => t >= down && t < up).length
          const attempts = during.filter((e) => e.time >= down && e.time < up).length
          const firstSuccess = (yield* Ref.get(successesAt)).filter((t) => t >= up).reduce(
            (a, b) => Math.min(a, b),
            Infinity
          )
          console.log(
            `lab outage: ${offered} calls offered during it, ${attempts} attempts = ${
              (attempts / offered).toFixed(3)
            } ×, ` +
              `first success ${firstSuccess - up} ms after the service returned`
          )
          expect(offered).toBeGreaterThanOrEqual(0.9 * 12 * 200) // the load really was offered throughout
          expect(attempts / offered).toBeLessThanOrEqual(1.1)
          expect(firstSuccess - up).toBeLessThanOrEqual(1000)
        }),
      { timeout: 120_000 }
    )

    it.scoped("two clients of one process share the default limiter of a table; another table has its own", () => {
      const store = StateStore.makeMemory()
      return Effect.gen(function*() {
        const lab = yield* Lab.Lab
        yield* lab.clear
        const first = yield* DynamoDB.make(where(lab))
        const second = yield* DynamoDB.make(where(lab))
        expect(first.guardScope).not.toBe(second.guardScope)
        const get = (table: string) => new GetItemCommand({ TableName: table, Key: { pk: { S: "1" } } })
        // The first client is throttled once on "shared": the limiter starts learning for both.
        yield* lab.push({ service: "dynamodb", operation: "GetItem", resource: "shared", fault: Fault.throttle() })
        yield* first.send(get("shared"))
        yield* second.send(get("shared"))
        yield* second.send(get("other"))
        const limiterOf = (scope: string, table: string) =>
          AdaptiveLimiter.current(AdaptiveLimiter.rebound, {
            service: "DynamoDB",
            operation: "GetItem",
            resource: table,
            scope
          })
        const seenByFirst = yield* limiterOf(first.guardScope, "shared")
        const seenBySecond = yield* limiterOf(second.guardScope, "shared")
        expect(Option.isSome(seenByFirst)).toBe(true)
        expect(seenBySecond).toEqual(seenByFirst)
        // the throttle, the first client's retry and the second client's read on "shared": all in one limiter
        expect(Option.map(seenBySecond, (s) => [s.enabled, s.windowThrottles, s.windowAll])).toEqual(
          Option.some([true, 1, 2])
        )
        const other = yield* limiterOf(first.guardScope, "other")
        expect(Option.map(other, (s) => [s.enabled, s.windowAll])).toEqual(Option.some([false, 1]))
        expect((yield* store.keys).filter((k) => k.startsWith("limiter/")).sort()).toEqual([
          `limiter/rebound/${first.guardScope.replace(/#\d+$/, "")}/other/GetItem`,
          `limiter/rebound/${first.guardScope.replace(/#\d+$/, "")}/shared/GetItem`
        ])
      }).pipe(Effect.provideService(StateStore.StateStore, store))
    })

    it.scoped.runIf(process.env.REBOUND_LAB_DRAIN === "1")(
      "B1 in the lab (opt-in, ~3.5 minutes): 50 workers write 2,000 items at 10 writes/s — ≤ 1.10 × bound, ≤ 1.2 attempts/item, Jain ≥ 0.9",
      () =>
        Effect.gen(function*() {
          const lab = yield* Lab.Lab
          yield* lab.clear
          yield* lab.setTable("drain", { readPerSecond: 10, writePerSecond: 10, burst: "1 second" })
          const done = new Array<number>(50).fill(0)
          const ddb = yield* DynamoDB.make(where(lab))
          const start = yield* Clock.currentTimeMillis
          const run = yield* closedLoop(50, 40, (worker, k) =>
            ddb.send(new PutItemCommand({ TableName: "drain", Item: { pk: { S: `${worker}-${k}` } } })).pipe(
              Effect.tap(() =>
                Effect.map(Clock.currentTimeMillis, (now) => {
                  if (k === 39) {
                    done[worker] = (now - start) / 1000
                  }
                })
              )
            ))
          const attempts = (yield* lab.log).filter((e) =>
            e.operation === "PutItem"
          ).length
          const bound = (2000 - 10) / 10
          const jain = done.reduce((a, b) =>
                a + b, 0) ** 2 / (50 * done.reduce((a, b) => a + b * b, 0))
          console.log(
            `lab B1: ${run.succeeded}/2000 written in ${run.seconds.toFixed(1)} s = ${
              (run.seconds / bound).toFixed(3)
            } × bound (${bound} s), ${(attempts / 2000).toFixed(3)} attempts/item, Jain ${jain.toFixed(3)}`
          )
          expect(run.succeeded).toBe(2000)
          expect(run.seconds / bound).toBeLessThanOrEqual(1.1)
          expect(attempts / 2000).toBeLessThanOrEqual(1.2)
          expect(jain).toBeGreaterThanOrEqual(0.9)
        }),
      { timeout: 600_000 }
    )
  }
)
