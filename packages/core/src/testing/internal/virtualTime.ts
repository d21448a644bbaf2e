import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"
import * as Scheduler from "effect/Scheduler"
import type * as TestClock from "effect/TestClock"

interface Sleeper {
  readonly at: number
  readonly seq: number
  readonly wake: () => void
}

/**
 * A clock whose time moves only when the run's driver moves it, from one pending sleep to the next. Sleeps that end
 * at the same instant wake in the order they were started.
 */
class VirtualClock implements Clock.Clock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  readonly currentTimeMillis: Effect.Effect<number>
  readonly currentTimeNanos: Effect.Effect<bigint>
  private readonly sleepers = new Set<Sleeper>()
  private seq = 0

  constructor(public now: number) {
    this.currentTimeMillis = Effect.sync(() => this.now)
    this.currentTimeNanos = Effect.sync(() => this.unsafeCurrentTimeNanos())
  }

  unsafeCurrentTimeMillis(): number {
    return this.now
  }

  unsafeCurrentTimeNanos(): bigint {
    return BigInt(Math.floor(this.now * 1_000_000))
  }

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    const millis = Duration.toMillis(duration)
    // As on TestClock: a sleep that ends no later than now does not wait.
    if (!(millis > 0)) return Effect.void
    return Effect.async<void>((resume) => {
      const sleeper: Sleeper = { at: this.now + millis, seq: this.seq++, wake: () => resume(Effect.void) }
      this.sleepers.add(sleeper)
      return Effect.sync(() => {
        this.sleepers.delete(sleeper)
      })
    })
  }

  /** Moves to the earliest pending sleep and wakes it; false when no sleep is pending (or only endless ones). */
  wakeNext(): boolean {
    let next: Sleeper | undefined
    for (const sleeper of this.sleepers) {
      if (next === undefined || sleeper.at < next.at || (sleeper.at === next.at && sleeper.seq < next.seq)) {
        next = sleeper
      }
    }
    if (next === undefined || next.at === Infinity) return false
    this.sleepers.delete(next)
    if (next.at > this.now) this.now = next.at
    next.wake()
    return true
  }
}

/**
 * The run's scheduler: the fibers of the run do their work here and nowhere else, so an empty queue means every one of
 * them is waiting. Then the driver lets one macrotask turn pass — promise callbacks the run is waiting on settle first
 * — and, if the queue is still empty, moves the clock to the next pending sleep.
 */
class VirtualScheduler implements Scheduler.Scheduler {
  private tasks: Array<Scheduler.Task> = []
  private draining = false
  private turnPending = false
  finished = false
  onSettled: (() => void) | undefined = undefined

  constructor(private readonly clock: VirtualClock) {}

  scheduleTask(task: Scheduler.Task, _priority: number): void {
    this.tasks.push(task)
    if (!this.draining) this.nextTurn()
  }

  shouldYield(fiber: Fiber.RuntimeFiber<unknown, unknown>): number | false {
    return Scheduler.defaultShouldYield(fiber)
  }

  private nextTurn(): void {
    if (this.turnPending) return
    this.turnPending = true
    setImmediate(() => { // @allow-real-time: one event-loop turn, so promise callbacks settle before time moves
      this.turnPending = false
      this.drive()
    })
  }

  private runTasks(): void {
    while (this.tasks.length > 0) {
      const batch = this.tasks
      this.tasks = []
      for (const task of batch) task()
    }
  }

  /**
   * One macrotask turn. A turn that starts with work runs it and ends, so the promise callbacks it set off settle
   * before the next turn looks again; a turn that starts with nothing to run means every fiber of the run is waiting,
   * and time moves to the next pending sleep. With none pending the run waits for the world outside (a task arriving
   * from a settled promise starts the next turn).
   */
  private drive(): void {
    this.draining = true
    try {
      if (this.tasks.length > 0 || this.finished || this.clock.wakeNext()) this.runTasks()
      else return
      if (!this.finished) return this.nextTurn()
      const settled = this.onSettled
      this.onSettled = undefined
      settled?.()
    } finally {
      this.draining = false
    }
  }
}

const isTestClock = (clock: Clock.Clock): clock is TestClock.TestClock =>
  typeof (clock as Partial<TestClock.TestClock>).setTime === "function"

/**
 * Runs an effect in a fiber of its own on a virtual clock that starts at the current clock's time: whenever every
 * fiber of the run is waiting, time moves straight to the next pending sleep. Returns the exit and the instants the
 * run started and ended; when the current clock is a `TestClock`, it is moved to the end instant.
 * @internal
 */
export const runVirtual = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<{ readonly exit: Exit.Exit<A, E>; readonly start: number; readonly end: number }, never, R> =>
  Effect.flatMap(Effect.clock, (outer) =>
    Effect.flatMap(Effect.runtime<R>(), (runtime) => {
      const start = outer.unsafeCurrentTimeMillis()
      const clock = new VirtualClock(start)
      const scheduler = new VirtualScheduler(clock)
      const ended = Effect.async<Exit.Exit<A, E>>((resume) => {
        // The fiber returns its exit rather than failing, so a failure under test is not reported as unhandled.
        // Started on the run's scheduler at its first turn, not here: what the caller set going settles first.
        const fiber = Runtime.runFork(runtime)(Effect.exit(Effect.withClock(effect, clock)), {
          scheduler,
          immediate: false
        })
        fiber.addObserver((exit) => {
          scheduler.finished = true
          scheduler.onSettled = () =>
            resume(Effect.succeed(exit._tag === "Success" ? exit.value : (exit as Exit.Exit<never, never>)))
        })
        return Fiber.interrupt(fiber)
      })
      return Effect.flatMap(ended, (exit) => {
        const end = clock.now
        const result = { exit, start, end }
        return isTestClock(outer) && end !== outer.unsafeCurrentTimeMillis() ?
          Effect.as(outer.setTime(end), result) :
          Effect.succeed(result)
      })
    }))
