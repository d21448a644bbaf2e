import type * as CallError from "../CallError.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type * as RetryQuota from "../RetryQuota.js"
import { guardKey } from "./keys.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: RetryQuota.TypeId = Symbol.for("@rebound/core/RetryQuota") as RetryQuota.TypeId

const where = "RetryQuota.make"

/** @internal */
export const make = (options: RetryQuota.Options = {}): RetryQuota.RetryQuota => {
  const capacity = validate.atLeast(where, "capacity", options.capacity ?? 500, 0, true)
  const cost = (field: string, value: number) => {
    validate.atLeast(where, field, value, 0)
    return value > capacity ? validate.fail(where, field, value, `a cost ≤ capacity (${capacity})`) : value
  }
  const retryCost = cost("retryCost", options.retryCost ?? 14)
  return {
    [TypeId]: TypeId,
    name: options.name ?? "quota",
    capacity,
    retryCost,
    throttlingRetryCost: cost("throttlingRetryCost", options.throttlingRetryCost ?? 5),
    timeoutRetryCost: cost("timeoutRetryCost", options.timeoutRetryCost ?? retryCost),
    successIncrement: validate.atLeast(where, "successIncrement", options.successIncrement ?? 1, 0),
    key: options.key
  }
}

/** @internal */
export const costOf = (
  quota: RetryQuota.RetryQuota,
  failureClass: CallError.FailureClass,
  timeout: boolean
): number =>
  failureClass === "throttling" ? quota.throttlingRetryCost : timeout ? quota.timeoutRetryCost : quota.retryCost

/** @internal */
export const withdraw = (_quota: RetryQuota.RetryQuota, tokens: number, cost: number): number | undefined =>
  tokens >= cost ? tokens - cost : undefined

/** @internal */
export const refund = (quota: RetryQuota.RetryQuota, tokens: number, lastRetryCost: number | undefined): number =>
  Math.min(quota.capacity, tokens + (lastRetryCost ?? quota.successIncrement))

/** @internal */
export const keyOf = (quota: RetryQuota.RetryQuota, context: RetryPolicy.CallContext): string =>
  guardKey("quota", quota, context)
