import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import type * as Backoff from "../Backoff.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: Backoff.TypeId = Symbol.for("@rebound/core/Backoff") as Backoff.TypeId

const jitters: ReadonlyArray<Backoff.Jitter> = ["none", "full", "equal", "decorrelated"]

/** @internal */
export const make = (options: Backoff.Options = {}, where = "Backoff.make", prefix = ""): Backoff.Backoff => {
  const field = (name: string) => `${prefix}${name}`
  const jitter = options.jitter ?? "full"
  if (!jitters.includes(jitter)) validate.fail(where, field("jitter"), jitter, `one of ${jitters.join(", ")}`)
  const baseMillis = validate.millis(where, field("base"), options.base ?? 50)
  const capMillis = validate.millis(where, field("cap"), options.cap ?? 20_000, { infinite: true })
  if (capMillis < baseMillis) {
    validate.fail(where, field("cap"), options.cap, `a duration ≥ base (${baseMillis} millis)`)
  }
  const factor = validate.atLeast(where, field("factor"), options.factor ?? (jitter === "decorrelated" ? 3 : 2), 1)
  const capping = options.capping ?? "beforeJitter"
  if (capping !== "beforeJitter" && capping !== "afterJitter") {
    validate.fail(where, field("capping"), capping, "\"beforeJitter\" or \"afterJitter\"")
  }
  return {
    [TypeId]: TypeId,
    baseMillis,
    factor,
    capMillis,
    jitter,
    capping,
    wholeMillis: options.wholeMillis ?? false
  }
}

/**
 * The pure heart of every backoff: the delay before retry number `retryIndex + 1` (so `retryIndex` 0 is the first
 * retry), given the previous delay (decorrelated jitter only) and one uniform draw in [0, 1).
 * @internal
 */
export const delay = (
  backoff: Backoff.Backoff,
  retryIndex: number,
  previousMillis: number | undefined,
  draw: number
): number => {
  const { baseMillis, capMillis, factor } = backoff
  // base · factorⁿ overflows to Infinity after about a thousand retries; a zero base stays zero (0 · ∞ would be NaN).
  const grown = baseMillis === 0 ? 0 : baseMillis * factor ** retryIndex
  let d: number
  switch (backoff.jitter) {
    case "decorrelated": {
      const previous = previousMillis ?? baseMillis
      const upper = Math.max(baseMillis, previous * factor)
      d = Math.min(capMillis, baseMillis + draw * (upper - baseMillis))
      break
    }
    case "none":
      d = Math.min(capMillis, grown)
      break
    case "full": {
      d = backoff.capping === "beforeJitter" ?
        draw * Math.min(capMillis, grown) :
        draw === 0
        ? 0
        : Math.min(capMillis, draw * grown)
      break
    }
    case "equal": {
      const v = backoff.capping === "beforeJitter" ? Math.min(capMillis, grown) : grown
      d = Math.min(capMillis, v / 2 + draw * (v / 2))
      break
    }
  }
  return backoff.wholeMillis ? Math.floor(d) : d
}

/** @internal */
export const toSchedule = (backoff: Backoff.Backoff): Schedule.Schedule<Duration.Duration, unknown> =>
  Schedule.makeWithState<{ readonly index: number; readonly previous: number | undefined }, unknown, Duration.Duration>(
    { index: 0, previous: undefined },
    (now, _input, state) =>
      Effect.map(Random.next, (draw) => {
        const ms = delay(backoff, state.index, state.previous, draw)
        return [
          { index: state.index + 1, previous: ms },
          Duration.millis(ms),
          ScheduleDecision.continueWith(ScheduleInterval.after(now + ms))
        ] as const
      })
  )

/** @internal */
export const withCap = dual<
  (cap: Duration.DurationInput) => (self: Backoff.Backoff) => Backoff.Backoff,
  (self: Backoff.Backoff, cap: Duration.DurationInput) => Backoff.Backoff
>(2, (self, cap) => make({ ...options(self), cap }, "Backoff.withCap"))

/** @internal */
export const options = (self: Backoff.Backoff): Backoff.Options => ({
  base: self.baseMillis,
  factor: self.factor,
  cap: self.capMillis,
  jitter: self.jitter,
  capping: self.capping,
  wholeMillis: self.wholeMillis
})
