/**
 * Capacity limits the lab enforces, so throttling arises from load and not only from scripts: DynamoDB tables with
 * read and write units per second, S3 key prefixes with a request rate, Lambda functions with an invocation rate.
 *
 * Each limit is a token bucket: it holds up to `rate × burst` units, starts full and refills continuously at `rate`
 * units per second. Time comes from Effect's `Clock`, so the buckets are exact under `TestClock`.
 *
 * Simplification: every DynamoDB item costs one unit, whatever its size (real DynamoDB charges 1 write unit per
 * KB and 1 read unit per 4 KB, half for eventually consistent reads); `Query` and `Scan` cost one read unit per
 * request. S3 prefixes have one rate for all methods (real S3: 3,500 writes and 5,500 reads per second per prefix).
 *
 * @since 0.1.0
 */
import { InvalidOptionError } from "@rebound/core/InvalidOption"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"

/**
 * A DynamoDB table's capacity. `burst` (default 1 second) is how much unused capacity the bucket can hold, in time:
 * DynamoDB itself keeps up to 300 seconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface TableCapacity {
  readonly readPerSecond: number
  readonly writePerSecond: number
  readonly burst?: Duration.DurationInput | undefined
}

/**
 * An S3 key prefix's request rate; `burst` as for tables.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrefixCapacity {
  readonly requestsPerSecond: number
  readonly burst?: Duration.DurationInput | undefined
}

/**
 * A token bucket: `tokens` of at most `capacity`, as of `updatedAt` (epoch milliseconds from `Clock`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenBucket {
  readonly ratePerSecond: number
  readonly capacity: number
  readonly tokens: number
  readonly updatedAt: number
}

/**
 * A full bucket.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tokenBucket = (ratePerSecond: number, burst: Duration.DurationInput, now: number): TokenBucket => {
  const capacity = ratePerSecond * Duration.toSeconds(Duration.decode(burst))
  return { ratePerSecond, capacity, tokens: capacity, updatedAt: now }
}

/**
 * The bucket as of `now`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const refill = (bucket: TokenBucket, now: number): TokenBucket => {
  const elapsed = Math.max(0, now - bucket.updatedAt) / 1000
  return {
    ...bucket,
    tokens: Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.ratePerSecond),
    updatedAt: Math.max(now, bucket.updatedAt)
  }
}

/**
 * Takes up to `wanted` whole units at `now`; returns how many were granted and the bucket after.
 *
 * @example
 * ```ts
 * import { Capacity } from "@rebound/aws/testing"
 *
 * const full = Capacity.tokenBucket(10, "1 second", 0)
 * const [granted, after] = Capacity.take(full, 25, 0) // 10 granted, 0 left
 * const [later] = Capacity.take(after, 25, 500) // 5 more half a second later
 * console.log(granted, later)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const take = (bucket: TokenBucket, wanted: number, now: number): readonly [number, TokenBucket] => {
  const current = refill(bucket, now)
  // The epsilon keeps 0.1 + 0.2-style sums from losing a whole unit.
  const granted = Math.max(0, Math.min(wanted, Math.floor(current.tokens + 1e-9)))
  return [granted, { ...current, tokens: current.tokens - granted }]
}

const rate = (constructorName: string, field: string, value: number, burst: Duration.Duration) => {
  if (!Number.isFinite(value) || value < 0) {
    return new InvalidOptionError({ constructorName, field, value: String(value), expected: "a finite number ≥ 0" })
  }
  if (value > 0 && value * Duration.toSeconds(burst) < 1) {
    return new InvalidOptionError({
      constructorName,
      field: "burst",
      value: Duration.format(burst),
      expected: `long enough to hold one unit at ${value}/s`
    })
  }
  return undefined
}

const burstOf = (constructorName: string, input: Duration.DurationInput | undefined) => {
  const burst = Duration.decodeUnknown(input ?? "1 second")
  if (burst._tag === "None" || !Duration.isFinite(burst.value) || Duration.toMillis(burst.value) <= 0) {
    return Either.left(
      new InvalidOptionError({
        constructorName,
        field: "burst",
        value: String(input),
        expected: "a finite duration > 0"
      })
    )
  }
  return Either.right(burst.value)
}

/**
 * Checks a table's capacity.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateTable = (
  capacity: TableCapacity,
  constructorName = "Capacity.validateTable"
): Either.Either<TableCapacity & { readonly burst: Duration.Duration }, InvalidOptionError> =>
  Either.flatMap(burstOf(constructorName, capacity.burst), (burst) => {
    const error = rate(constructorName, "readPerSecond", capacity.readPerSecond, burst) ??
      rate(constructorName, "writePerSecond", capacity.writePerSecond, burst)
    return error ? Either.left(error) : Either.right({ ...capacity, burst })
  })

/**
 * Checks a prefix's capacity.
 *
 * @since 0.1.0
 * @category validation
 */
export const validatePrefix = (
  capacity: PrefixCapacity,
  constructorName = "Capacity.validatePrefix"
): Either.Either<PrefixCapacity & { readonly burst: Duration.Duration }, InvalidOptionError> =>
  Either.flatMap(burstOf(constructorName, capacity.burst), (burst) => {
    const error = rate(constructorName, "requestsPerSecond", capacity.requestsPerSecond, burst)
    return error ? Either.left(error) : Either.right({ ...capacity, burst })
  })
