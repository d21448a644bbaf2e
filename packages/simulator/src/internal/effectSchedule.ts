import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import type * as Client from "../Client.js"

/**
 * Delays from one of Effect's own schedules, stepped by Effect's real code: each failure's draw is handed to the
 * schedule as its only `Random` value, so the simulator and an `Effect.retry` on the same draws agree.
 * @internal
 */
export const delaysOf = (schedule: Schedule.Schedule<unknown, unknown>) => (): Client.DelayStep => {
  let state: unknown = schedule.initial
  return (nowMillis, draw) => {
    const [next, , decision] = Effect.runSync(
      Effect.withRandom(schedule.step(nowMillis, undefined, state), Random.fixed([draw]))
    )
    state = next
    if (ScheduleDecision.isDone(decision)) {
      throw new Error("an Effect schedule used for delays must not stop on its own; bound it with the policy")
    }
    return ScheduleIntervals.start(decision.intervals) - nowMillis
  }
}
