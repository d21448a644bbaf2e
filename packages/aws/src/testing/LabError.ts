/**
 * The typed error of the local AWS lab: a server, the fault proxy or a fixture could not be started or set up.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import { hasProperty } from "effect/Predicate"

/**
 * The part of the lab that failed.
 *
 * @since 0.1.0
 * @category models
 */
export type Component = "dynamodb" | "s3" | "lambda" | "proxy"

const describeCause = (cause: unknown): string => {
  if (cause === undefined) return ""
  if (cause instanceof Error) {
    const code = hasProperty(cause, "code") && typeof cause.code === "string" ? ` (${cause.code})` : ""
    return `: ${cause.message}${code}`
  }
  return `: ${String(cause)}`
}

/**
 * A lab component could not start, or a fixture (a table, a bucket) could not be created. The message names the
 * component, what it was doing and the underlying cause.
 *
 * @example
 * ```ts
 * import { FaultProxy, LabError } from "@rebound/aws/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(FaultProxy.make({ s3: "http://127.0.0.1:4569" })).pipe(
 *   Effect.catchTag("LabError", (error: LabError.LabError) => Effect.logError(error.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LabError extends Data.TaggedError("LabError")<{
  readonly component: Component
  /** What the component was doing, e.g. `"listen on 127.0.0.1"` or `"create table orders"`. */
  readonly action: string
  readonly cause?: unknown
}> {
  /**
   * The component, what it was doing, and why it failed.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return `lab ${this.component}: ${this.action} failed${describeCause(this.cause)}`
  }
}

/**
 * Whether a value is a `LabError`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLabError = (u: unknown): u is LabError => u instanceof LabError
