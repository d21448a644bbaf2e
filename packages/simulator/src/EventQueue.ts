/**
 * The discrete-event loop: a binary min-heap of events in integer-microsecond virtual time, keyed by (time, seq).
 *
 * `seq` increases with every scheduled event, so events at the same instant run in the order they were scheduled: a
 * run is a pure function of its inputs, with no wall clock and no `setTimeout`.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/eventQueue.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface EventQueue {
  /** The current virtual time, in microseconds. */
  readonly now: number
  /** Events waiting. */
  readonly size: number
  /** Events run so far. */
  readonly processed: number
  /** Runs `run` at `time` (whole microseconds, not before `now`). */
  readonly schedule: (time: number, run: () => void) => void
  /** Runs `run` after `delay` microseconds. */
  readonly after: (delay: number, run: () => void) => void
  /**
   * Runs events in (time, seq) order until none is left or the next is after `until`; returns how many ran. With an
   * `until`, `now` ends at `until`.
   */
  readonly run: (until?: number) => number
}

/**
 * An empty queue at time 0.
 *
 * @example
 * ```ts
 * import { EventQueue } from "@rebound/simulator"
 *
 * const queue = EventQueue.make()
 * const order: Array<string> = []
 * queue.schedule(20, () => order.push("b"))
 * queue.schedule(10, () => order.push("a"))
 * queue.schedule(20, () => order.push("c")) // same instant as "b": scheduled later, runs later
 * queue.run()
 * console.log(order, queue.now) // ["a", "b", "c"] 20
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: () => EventQueue = internal.make

/**
 * Milliseconds (the unit of rebound's decisions) to whole microseconds (the simulator's clock), to the nearest.
 *
 * @since 0.1.0
 * @category utils
 */
export const micros = (millis: number): number => Math.round(millis * 1000)
