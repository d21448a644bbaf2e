import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Tracer from "effect/Tracer"

/** Effect's built-in tracer: its spans go nowhere (no exporter reads them). */
const builtIn: Tracer.Tracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * Whether a span made here reaches anyone: a tracer other than Effect's built-in one is installed (an
 * `@effect/opentelemetry` layer, a tracer of the application's own), and tracing is not turned off
 * (`Effect.withTracerEnabled(false)`). When nobody traces, rebound makes no span at all.
 * @internal
 */
export const isTraced = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  fiber.currentTracer !== builtIn && fiber.getFiberRef(FiberRef.currentTracerEnabled)
