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

// ---------------------------------------------------------------------------------------------------------------
// Fleet leasing: one quota shared by many processes. The fleet keeps the tokens nobody holds (`pool`) and what each
// process holds (its lease); a process spends from its own lease with no round trip, and at each sync gives back what
// it holds beyond its target and is topped up to it from the pool. Invariant after every merge: pool + Σ leases ≤
// capacity — except while processes that started before they could reach the fleet hold provisional leases, which the
// fleet takes back at their next syncs.

/** The fleet's record of a shared quota. @internal */
export interface QuotaFleet {
  readonly pool: number
  readonly leases: Readonly<Record<string, { readonly tokens: number; readonly seen: number }>>
}

/** What a process tells the fleet at a sync. @internal */
export interface QuotaReport {
  /** Tokens it holds after giving back `returned`. */
  readonly held: number
  /** Tokens above its target, given back to the pool. */
  readonly returned: number
  /** Tokens it asks for, up to its target. */
  readonly want: number
  /**
   * On a process's first report only: the slice it started with before it could reach the fleet, which the fleet
   * books as lent from the pool then (and takes back, if the pool cannot cover it).
   */
  readonly provisional?: number | undefined
}

/** The smallest lease worth holding: two retries at the dearest cost (never more than the capacity). @internal */
export const minimumLease = (quota: RetryQuota.RetryQuota): number =>
  Math.min(quota.capacity, 2 * Math.max(quota.retryCost, quota.throttlingRetryCost, quota.timeoutRetryCost))

/** A process's target: twice what it spent since its last sync, at least {@link minimumLease}. @internal */
export const leaseTarget = (quota: RetryQuota.RetryQuota, spent: number): number =>
  Math.min(quota.capacity, Math.max(minimumLease(quota), 2 * spent))

/**
 * At a sync, in the process: the report, and the tokens the process keeps (its surplus leaves with the report).
 * @internal
 */
export const prepareLease = (
  quota: RetryQuota.RetryQuota,
  tokens: number,
  spent: number
): readonly [QuotaReport, number] => {
  const target = leaseTarget(quota, spent)
  const returned = Math.max(0, tokens - target)
  const held = tokens - returned
  return [{ held, returned, want: Math.max(0, target - held) }, held]
}

/**
 * At a sync, on the fleet: records what the process holds, takes back leases not renewed for `leaseTtlMillis`, adds
 * the returned tokens to the pool (which never holds more than the capacity less the leases), and grants the process
 * what it asked for from the pool. A negative grant takes tokens back from a process while the leases together exceed
 * the capacity.
 * @internal
 */
export const mergeLease = (
  quota: RetryQuota.RetryQuota,
  fleet: QuotaFleet | undefined,
  process: string,
  report: QuotaReport,
  nowMillis: number,
  leaseTtlMillis: number
): readonly [QuotaFleet, number] => {
  let pool = fleet?.pool ?? quota.capacity
  const leases: Record<string, { tokens: number; seen: number }> = {}
  for (const [holder, lease] of Object.entries(fleet?.leases ?? {})) {
    if (holder !== process && nowMillis - lease.seen > leaseTtlMillis) pool += lease.tokens
    else leases[holder] = { ...lease }
  }
  pool -= report.provisional ?? 0
  // What the process owes when the pool could not cover its provisional slice.
  const owed = Math.max(0, -pool)
  leases[process] = { tokens: report.held, seen: nowMillis }
  let leased = 0
  for (const lease of Object.values(leases)) leased += lease.tokens
  pool = Math.max(0, Math.min(pool + report.returned, quota.capacity - leased))
  const excess = Math.max(owed, leased - quota.capacity)
  const granted = excess > 0 ? -Math.min(report.held, excess) : Math.min(pool, report.want)
  if (granted > 0) pool -= granted
  leases[process] = { tokens: report.held + granted, seen: nowMillis }
  return [{ pool, leases }, granted]
}

/** In the process, when the answer comes: the grant added to what it holds now (never below zero). @internal */
export const adoptLease = (tokens: number, granted: number): number => Math.max(0, tokens + granted)

/** What a step spent from the lease (a refund is not spending). @internal */
export const spentBy = (before: number, after: number): number => Math.max(0, before - after)
