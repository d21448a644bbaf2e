import { dual } from "effect/Function"
import { pipeArguments } from "effect/Pipeable"
import type * as RetryPolicy from "../RetryPolicy.js"
import * as adaptiveLimiter from "./adaptiveLimiter.js"
import * as backoff from "./backoff.js"
import * as circuitBreaker from "./circuitBreaker.js"
import * as hedging from "./hedging.js"
import * as retryBudget from "./retryBudget.js"
import * as retryQuota from "./retryQuota.js"
import * as validate from "./validate.js"

/** @internal */
export const TypeId: RetryPolicy.TypeId = Symbol.for("@rebound/core/RetryPolicy") as RetryPolicy.TypeId

const Proto = {
  [TypeId]: TypeId,
  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  },
  toJSON(this: RetryPolicy.RetryPolicy) {
    return {
      _id: "RetryPolicy",
      name: this.name,
      description: this.description,
      maxAttempts: this.maxAttempts,
      maxElapsedMillis: this.maxElapsedMillis === Infinity ? null : this.maxElapsedMillis,
      backoff: backoff.options(this.backoff),
      throttlingBackoff: backoff.options(this.throttlingBackoff),
      retryAfter: this.retryAfter,
      idempotent: this.idempotent,
      quota: this.quota?.name,
      budget: this.budget?.name,
      limiter: this.limiter?.name,
      breaker: this.breaker?.name,
      hedging: this.hedging?.name
    }
  },
  toString(this: RetryPolicy.RetryPolicy) {
    return `RetryPolicy(${this.name})`
  }
}

/** @internal */
export const isRetryPolicy = (u: unknown): u is RetryPolicy.RetryPolicy =>
  typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const fromFields = (
  fields: Omit<RetryPolicy.RetryPolicy, RetryPolicy.TypeId | "pipe">
): RetryPolicy.RetryPolicy => Object.assign(Object.create(Proto), fields)

const where = "RetryPolicy.make"

/** @internal */
export const make = (options: RetryPolicy.Options = {}): RetryPolicy.RetryPolicy => {
  const maxAttempts = validate.integer(where, "maxAttempts", options.maxAttempts ?? 3, 1)
  const maxElapsedMillis = options.maxElapsed === undefined ?
    Infinity :
    validate.millis(where, "maxElapsed", options.maxElapsed, { infinite: true })
  const transientBackoff = backoff.make(
    {
      base: options.base ?? 50,
      factor: options.factor,
      cap: options.cap ?? 20_000,
      jitter: options.jitter ?? "full",
      capping: options.capping,
      wholeMillis: options.wholeMillis
    },
    where
  )
  const t = options.throttling ?? {}
  const throttlingCap = t.cap ?? options.cap ?? 20_000
  const throttlingBackoff = backoff.make(
    {
      // One rule, here and in `modify`: the throttling base is its own — 1 s, as in the AWS SDKs since 2026, or the
      // throttling cap when that is smaller — never the transient base.
      base: t.base ??
        Math.min(
          1_000,
          validate.millis(where, t.cap !== undefined ? "throttling.cap" : "cap", throttlingCap, {
            infinite: true
          })
        ),
      factor: t.factor ?? options.factor,
      cap: throttlingCap,
      jitter: t.jitter ?? options.jitter ?? "full",
      capping: options.capping,
      wholeMillis: options.wholeMillis
    },
    where,
    "throttling."
  )
  let retryAfter: RetryPolicy.RetryAfter | undefined
  if (options.retryAfter === false) {
    retryAfter = undefined
  } else {
    const r = options.retryAfter === undefined || options.retryAfter === true ? {} : options.retryAfter
    retryAfter = {
      maxExtraMillis: validate.millis(where, "retryAfter.maxExtra", r.maxExtra ?? 5_000, { infinite: true }),
      maxDelayMillis: validate.millis(where, "retryAfter.maxDelay", r.maxDelay ?? Infinity, { infinite: true })
    }
  }
  if (options.retryOn !== undefined && typeof options.retryOn !== "function") {
    validate.fail(where, "retryOn", options.retryOn, "a function (error) => boolean | undefined")
  }
  const name = options.name ?? "custom"
  if (typeof name !== "string" || name.length === 0) validate.fail(where, "name", name, "a non-empty string")
  const guard = <G>(field: string, value: G | undefined, id: symbol, what: string): G | undefined => {
    if (value !== undefined && !(typeof value === "object" && value !== null && id in value)) {
      validate.fail(where, field, value, what)
    }
    return value
  }
  return fromFields({
    name,
    description: options.description,
    maxAttempts,
    maxElapsedMillis,
    backoff: transientBackoff,
    throttlingBackoff,
    retryAfter,
    idempotent: options.idempotent ?? false,
    retryOn: options.retryOn,
    quota: guard("quota", options.quota, retryQuota.TypeId, "a RetryQuota (RetryQuota.make)"),
    budget: guard("budget", options.budget, retryBudget.TypeId, "a RetryBudget (RetryBudget.ratio or tokens)"),
    limiter: guard("limiter", options.limiter, adaptiveLimiter.TypeId, "an AdaptiveLimiter (AdaptiveLimiter.make)"),
    breaker: guard("breaker", options.breaker, circuitBreaker.TypeId, "a CircuitBreaker"),
    hedging: guard("hedging", options.hedging, hedging.TypeId, "a Hedging (Hedging.make)")
  })
}

/** @internal */
export const options = (self: RetryPolicy.RetryPolicy): RetryPolicy.Options => ({
  name: self.name,
  description: self.description,
  maxAttempts: self.maxAttempts,
  maxElapsed: self.maxElapsedMillis === Infinity ? undefined : self.maxElapsedMillis,
  base: self.backoff.baseMillis,
  factor: self.backoff.factor,
  cap: self.backoff.capMillis,
  jitter: self.backoff.jitter,
  capping: self.backoff.capping,
  wholeMillis: self.backoff.wholeMillis,
  throttling: {
    base: self.throttlingBackoff.baseMillis,
    factor: self.throttlingBackoff.factor,
    cap: self.throttlingBackoff.capMillis,
    jitter: self.throttlingBackoff.jitter
  },
  retryAfter: self.retryAfter === undefined ?
    false :
    { maxExtra: self.retryAfter.maxExtraMillis, maxDelay: self.retryAfter.maxDelayMillis },
  idempotent: self.idempotent,
  retryOn: self.retryOn,
  quota: self.quota,
  budget: self.budget,
  limiter: self.limiter,
  breaker: self.breaker,
  hedging: self.hedging
})

/** @internal */
export const withGuard = <K extends "quota" | "budget" | "limiter" | "breaker">(field: K) =>
  dual<
    (guard: RetryPolicy.RetryPolicy[K]) => (self: RetryPolicy.RetryPolicy) => RetryPolicy.RetryPolicy,
    (self: RetryPolicy.RetryPolicy, guard: RetryPolicy.RetryPolicy[K]) => RetryPolicy.RetryPolicy
  >(2, (self, guard) => make({ ...options(self), [field]: guard }))

/** @internal */
export const withHedging = dual<
  (hedging: RetryPolicy.RetryPolicy["hedging"]) => (self: RetryPolicy.RetryPolicy) => RetryPolicy.RetryPolicy,
  (self: RetryPolicy.RetryPolicy, hedging: RetryPolicy.RetryPolicy["hedging"]) => RetryPolicy.RetryPolicy
>(2, (self, hedging) => make({ ...options(self), hedging }))

/** @internal */
export const modify = dual<
  (changes: RetryPolicy.Options) => (self: RetryPolicy.RetryPolicy) => RetryPolicy.RetryPolicy,
  (self: RetryPolicy.RetryPolicy, changes: RetryPolicy.Options) => RetryPolicy.RetryPolicy
>(2, (self, changes) => {
  const current = options(self)
  // `factor`, `cap` and `jitter` shape both curves unless `throttling` says otherwise; `base` is the transient base.
  const inherited: Record<string, unknown> = { ...current.throttling }
  for (const key of ["factor", "cap", "jitter"] as const) {
    if (changes[key] !== undefined) delete inherited[key]
  }
  return make({ ...current, ...changes, throttling: { ...inherited, ...changes.throttling } })
})
