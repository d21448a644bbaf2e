/**
 * The lab's fault-injecting proxy: the SDK clients talk to it, it talks to the local servers.
 *
 * One listener per service, each on its own ephemeral port on 127.0.0.1 (so the service is known from the port, and
 * no path routing can confuse S3 keys with Lambda paths); all listeners share one set of rules, chaos settings,
 * capacity buckets and one log. Requests are forwarded with every header unchanged, `Host` included (SigV4 signs it).
 *
 * For each request, in order: a scripted {@link Fault.Rule} that matches, else a chaos draw (if chaos is on), else a
 * latency-tail draw (if a tail is set, {@link Fault.LatencyTailOptions}), else no fault. A fault that answers by itself (throttle, 5xx, HTML page, synthetic body) or resets before forwarding never
 * reaches the upstream. Otherwise the request meets the capacity limits (see {@link Capacity}), which may throttle it
 * or, for DynamoDB batches, forward only the part that fits and hand the rest back as `UnprocessedItems` /
 * `UnprocessedKeys`; then the upstream answers, and a reset-after-forward or an after-forward delay applies.
 *
 * @since 0.1.0
 */
import type { InvalidOptionError } from "@rebound/core/InvalidOption"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Capacity from "./Capacity.js"
import type * as Fault from "./Fault.js"
import * as internal from "./internal/proxy.js"
import type { LabError } from "./LabError.js"

/**
 * One request through the proxy. Never holds credentials, `authorization` headers or bodies.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogEntry {
  /** When the request arrived (epoch milliseconds, from `Clock`). */
  readonly time: number
  readonly service: Fault.Service
  readonly operation: string
  /** Table, `bucket/key` (or `bucket/prefix` for lists), or function name. */
  readonly resource: string | undefined
  /** See {@link Fault.Rule} for how attempts are numbered. */
  readonly attempt: number
  /** The fault applied, or `"forward"`. A capacity refusal shows as `"Throttle"` with source `"capacity"`. */
  readonly action: Fault.Fault["_tag"] | "forward"
  readonly source: "script" | "chaos" | "tail" | "capacity" | undefined
  /** `"throttled"`: refused for lack of capacity; `"split"`: only part of a batch was forwarded. */
  readonly capacity: "throttled" | "split" | undefined
  /** The status the client got; undefined after a reset, a stall, or when the client had gone. */
  readonly status: number | undefined
  /** The upstream's status, when the request reached it. */
  readonly upstreamStatus: number | undefined
  /** Batch items or keys handed back as unprocessed for lack of capacity. */
  readonly unprocessed: number
}

/**
 * A scripted rule and how many more requests it will fault.
 *
 * @since 0.1.0
 * @category models
 */
export interface PendingRule {
  readonly rule: Fault.Rule
  readonly remaining: number
}

/**
 * What a test steers the proxy with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Controls {
  /** Adds scripted rules, matched in the order pushed. */
  readonly push: (...rules: ReadonlyArray<Fault.Rule>) => Effect.Effect<void, InvalidOptionError>
  /** Turns chaos mode on (replacing earlier chaos settings). */
  readonly chaos: (options: Fault.ChaosOptions) => Effect.Effect<void, InvalidOptionError>
  /** Delays a seeded share of requests by a distribution (replacing an earlier tail); see {@link Fault.LatencyTailOptions}. */
  readonly latencyTail: (options: Fault.LatencyTailOptions) => Effect.Effect<void, InvalidOptionError>
  /** Limits a DynamoDB table; the bucket starts full. */
  readonly setTable: (table: string, capacity: Capacity.TableCapacity) => Effect.Effect<void, InvalidOptionError>
  /** Limits the S3 requests whose key starts with `prefix` in `bucket` (`""` for the whole bucket). */
  readonly setPrefix: (
    bucket: string,
    prefix: string,
    capacity: Capacity.PrefixCapacity
  ) => Effect.Effect<void, InvalidOptionError>
  /**
   * Forgets rules, chaos, the latency tail, capacity limits, the log and the count of identical requests. Requests still in flight
   * (a stall, a long delay) are left out of the new log.
   */
  readonly clear: Effect.Effect<void>
  /** Rules not yet spent. */
  readonly pending: Effect.Effect<ReadonlyArray<PendingRule>>
  /** Every request so far, in the order they were answered (`time` says when each arrived). */
  readonly log: Effect.Effect<ReadonlyArray<LogEntry>>
}

/**
 * A running proxy: the URLs clients should use, and its controls.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultProxy<S extends Fault.Service = Fault.Service> extends Controls {
  readonly endpoints: Readonly<Record<S, string>>
}

/**
 * Starts one listener on 127.0.0.1 per upstream; they close when the scope closes.
 *
 * @example
 * ```ts
 * import { Fault, FaultProxy } from "@rebound/aws/testing"
 * import { Effect } from "effect"
 *
 * const dynamodbUrl = "http://127.0.0.1:8000" // where DynamoDB (or dynalite) listens
 *
 * const program = Effect.gen(function*() {
 *   const proxy = yield* FaultProxy.make({ dynamodb: dynamodbUrl })
 *   yield* proxy.push({ operation: "GetItem", fault: Fault.throttle(), times: 2 })
 *   return proxy.endpoints.dynamodb // give this to the DynamoDBClient
 * }).pipe(Effect.scoped)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <S extends Fault.Service>(
  upstreams: Readonly<Record<S, string>>
) => Effect.Effect<FaultProxy<S>, LabError, Scope.Scope> = internal.make
