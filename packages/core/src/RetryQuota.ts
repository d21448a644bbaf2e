/**
 * The retry quota: the AWS SDKs' token bucket that stops retries once a client has been failing for a while.
 *
 * A bucket starts with `capacity` tokens. Each retry withdraws its cost (less for throttling); when the bucket cannot
 * pay, retries stop with stop reason `quota`. A call that succeeds refunds the cost of its last retry, or
 * `successIncrement` if it needed none; never above `capacity`. Failed calls refund nothing, so during an outage the
 * bucket drains and the extra load falls back to ≈ 1× (35 retries of cost 14 from a full bucket, then none).
 *
 * Buckets are keyed: one per client instance and resource by default (a DynamoDB table, an S3 prefix, a function), so
 * one hot resource does not starve the rest, or per key the caller chooses. State lives in the `StateStore`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as CallError from "./CallError.js"
import * as internal from "./internal/retryQuota.js"
import { StateStoreTag } from "./internal/stateStore.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * The brand of a validated retry quota.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * The brand of a validated retry quota.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A validated retry quota (the AWS SDKs' token bucket): its capacity, the cost of each kind of retry, the refund on success and its key.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryQuota {
  readonly [TypeId]: TypeId
  /** Names the bucket; quotas of the same name and key share tokens. */
  readonly name: string
  readonly capacity: number
  /** Cost of a retry after a transient failure. */
  readonly retryCost: number
  /** Cost of a retry after a throttling failure. */
  readonly throttlingRetryCost: number
  /** Cost of a retry after a timeout (botocore before 2026: 10). */
  readonly timeoutRetryCost: number
  /** Refund of a call that succeeded at its first attempt. */
  readonly successIncrement: number
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * Options of `make`; the defaults are the 2026 AWS SDKs'.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly name?: string | undefined
  /** Default 500. Must be > 0. */
  readonly capacity?: number | undefined
  /** Default 14 (the 2026 AWS SDKs). Must be in [0, capacity]. */
  readonly retryCost?: number | undefined
  /** Default 5. Must be in [0, capacity]. */
  readonly throttlingRetryCost?: number | undefined
  /** Default: `retryCost`. */
  readonly timeoutRetryCost?: number | undefined
  /** Default 1. */
  readonly successIncrement?: number | undefined
  /** Chooses the state a call uses; default: its owner (`scope`, else `service`) and `resource` — see `StateStore`. */
  readonly key?: ((context: RetryPolicy.CallContext) => string) | undefined
}

/**
 * Builds a quota, throwing an `InvalidOptionError` naming the bad field.
 *
 * @example
 * ```ts
 * import { RetryQuota } from "@rebound/core"
 *
 * // The default key is per client and resource (each table its own bucket); this one is shared by the application:
 * const appWide = RetryQuota.make({ name: "app", key: () => "app" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => RetryQuota = internal.make

/**
 * The AWS SDK for JavaScript v3 2026 quota and botocore's with `AWS_NEW_RETRIES_2026`: 500 tokens, retry 14,
 * throttling retry 5 (`@smithy/core` 3.41.1, botocore 1.43.107).
 *
 * @since 0.1.0
 * @category presets
 */
export const aws2026: RetryQuota = make({ name: "aws-2026", capacity: 500, retryCost: 14, throttlingRetryCost: 5 })

/**
 * The AWS SDK for JavaScript v3 quota before 2026: 500 tokens, transient retry 10, throttling retry 5
 * (`@smithy/util-retry` 4.2.5, with its refill bug fixed).
 *
 * @since 0.1.0
 * @category presets
 */
export const awsJsPre2026: RetryQuota = make({
  name: "aws-js-pre-2026",
  capacity: 500,
  retryCost: 10,
  throttlingRetryCost: 5
})

/**
 * botocore standard mode before 2026: 500 tokens, retry 5, timeout retry 10 (botocore 1.43.107, `retries/quota.py`).
 *
 * @since 0.1.0
 * @category presets
 */
export const botocoreStandard: RetryQuota = make({
  name: "botocore-standard",
  capacity: 500,
  retryCost: 5,
  throttlingRetryCost: 5,
  timeoutRetryCost: 10
})

/**
 * The cost of a retry after a failure of this class.
 *
 * @since 0.1.0
 * @category state machine
 */
export const costOf: (quota: RetryQuota, failureClass: CallError.FailureClass, timeout: boolean) => number =
  internal.costOf

/**
 * Withdraws a cost; `undefined` when the bucket cannot pay.
 *
 * @example
 * ```ts
 * import { RetryQuota } from "@rebound/core"
 *
 * console.log(RetryQuota.withdraw(RetryQuota.aws2026, 20, 14)) // 6
 * console.log(RetryQuota.withdraw(RetryQuota.aws2026, 6, 14)) // undefined
 * ```
 *
 * @since 0.1.0
 * @category state machine
 */
export const withdraw: (quota: RetryQuota, tokens: number, cost: number) => number | undefined = internal.withdraw

/**
 * The bucket after a successful call: plus the cost of its last retry, or `successIncrement`; never above capacity.
 *
 * @since 0.1.0
 * @category state machine
 */
export const refund: (quota: RetryQuota, tokens: number, lastRetryCost: number | undefined) => number = internal.refund

/**
 * The store key of a call's bucket.
 *
 * @since 0.1.0
 * @category state machine
 */
export const keyOf: (quota: RetryQuota, context: RetryPolicy.CallContext) => string = internal.keyOf

/**
 * Tokens left in a call's bucket (the capacity if the bucket was never used).
 *
 * @example
 * ```ts
 * import { RetryQuota } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const left = RetryQuota.current(RetryQuota.aws2026, { service: "DynamoDB", operation: "GetItem" })
 * const program = Effect.tap(left, (tokens) => Effect.log(`retry quota: ${tokens}`))
 * ```
 *
 * @since 0.1.0
 * @category observation
 */
export const current = (quota: RetryQuota, context: RetryPolicy.CallContext): Effect.Effect<number> =>
  Effect.flatMap(
    StateStoreTag,
    (store) => Effect.map(store.get<number>(keyOf(quota, context)), Option.getOrElse(() => quota.capacity))
  )
