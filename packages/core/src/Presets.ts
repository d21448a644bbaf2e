/**
 * Policies that reproduce the AWS SDKs' retry modes to the number, each naming the SDK and version it copies.
 *
 * | preset | attempts | transient backoff | throttling backoff | cap | `Retry-After` | copies |
 * | --- | --- | --- | --- | --- | --- | --- |
 * | `awsJs2026` | 3 | `floor(r·min(50·2ⁿ, 20000))` ms | base 1000 ms | 20 s before jitter | `max(d, min(h, d+5s))` | `@smithy/core` 3.41.1 |
 * | `awsJs2026DynamoDB` | 4 | base 25 ms | base 1000 ms | 20 s | same | `@aws-sdk/client-dynamodb` 3.1169.0 |
 * | `awsJsPre2026` | 3 | `floor(min(20000, r·2ⁿ·100))` ms | base 500 ms | 20 s after jitter | `min(20s, max(h, d))` | `@smithy/util-retry` 4.2.5 |
 * | `botocoreLegacy` | 5 | `r·2ⁿ` s | same | none | ignored | botocore 1.43.107 (boto3's default) |
 * | `botocoreLegacyDynamoDB` | 10 | `0.05·2ⁿ` s, no jitter | same | none | ignored | botocore 1.43.107 |
 * | `botocoreStandard` | 3 | `r·min(2ⁿ, 20)` s | same | 20 s | ignored | botocore 1.43.107 |
 * | `botocoreStandard2026` | 3 | `r·min(0.05·2ⁿ, 20)` s | base 1 s | 20 s | `max(d, min(h, d+5s))` | botocore 1.43.107 + `AWS_NEW_RETRIES_2026` |
 * | `botocoreStandard2026DynamoDB` | 4 | base 25 ms | base 1 s | 20 s | same | same |
 * | `awsJs2026Adaptive` | 3 | like `awsJs2026` | like `awsJs2026` | 20 s | same | `@smithy/core` 3.41.1, plus the CUBIC limiter |
 * | `none` | 1 | — | — | — | — | — |
 * | `rebound` | 3 | `r·min(50·1.5ⁿ, 2000)` ms | `r·2500` ms | 2 s / 20 s | `max(d, min(h, d+5s))` | rebound's default (see below) |
 *
 * `Presets.rebound` also carries a 20 s time budget per call and a circuit breaker that opens after 5 consecutive
 * transient failures for 5 s (throttles do not count). The simulator chose it: it meets three of the four goals in
 * docs/benchmarks (Brooker's contention, a fast-fail outage, a brownout) where the AWS 2026 constants meet one.
 *
 * `n` counts retries from 0 and `r` is uniform in [0, 1). Quotas: the 2026 presets (JavaScript and botocore) and
 * `rebound` carry `RetryQuota.aws2026` (500 tokens, retry 14, throttling retry 5); `awsJsPre2026` carries 500/10/5;
 * `botocoreStandard` 500/5 (timeouts 10); the legacy presets and `none` have none. Deliberately not reproduced: the pre-2026 JavaScript
 * quota-refill bug and its lost numeric `Retry-After` hints (AWS-RETRY-FACTS §2.4).
 *
 * @since 0.1.0
 */
import * as internal from "./internal/presets.js"
import type { RetryPolicy } from "./RetryPolicy.js"

/**
 * AWS SDK for JavaScript v3 standard mode, 2026 behaviour (`@smithy/core` 3.41.1, the default since 3.40.0).
 *
 * @since 0.1.0
 * @category presets
 */
export const awsJs2026: RetryPolicy = internal.awsJs2026

/**
 * The 2026 JavaScript DynamoDB client: 4 attempts, 25 ms base (`@aws-sdk/client-dynamodb` 3.1169.0).
 *
 * @since 0.1.0
 * @category presets
 */
export const awsJs2026DynamoDB: RetryPolicy = internal.awsJs2026DynamoDB

/**
 * AWS SDK for JavaScript v3 adaptive mode, 2026 behaviour: `awsJs2026` plus the CUBIC client-side rate limiter, which
 * may delay even the first attempt once a throttle has been seen (`@smithy/core` 3.41.1).
 *
 * @since 0.1.0
 * @category presets
 */
export const awsJs2026Adaptive: RetryPolicy = internal.awsJs2026Adaptive

/**
 * AWS SDK for JavaScript v3 standard mode before the 2026 update (`@smithy/util-retry` 4.2.5).
 *
 * @since 0.1.0
 * @category presets
 */
export const awsJsPre2026: RetryPolicy = internal.awsJsPre2026

/**
 * boto3's default, botocore legacy mode: 5 attempts, `rand × 2^(n−1)` seconds, no cap (botocore 1.43.107).
 *
 * @since 0.1.0
 * @category presets
 */
export const botocoreLegacy: RetryPolicy = internal.botocoreLegacy

/**
 * botocore legacy mode for DynamoDB: 10 attempts at `50 ms × 2ⁿ`, no jitter (botocore 1.43.107).
 *
 * @since 0.1.0
 * @category presets
 */
export const botocoreLegacyDynamoDB: RetryPolicy = internal.botocoreLegacyDynamoDB

/**
 * botocore standard mode: 3 attempts, `rand × min(2^(n−1), 20)` seconds (botocore 1.43.107).
 *
 * @since 0.1.0
 * @category presets
 */
export const botocoreStandard: RetryPolicy = internal.botocoreStandard

/**
 * botocore standard mode with `AWS_NEW_RETRIES_2026=true` (botocore 1.43.107).
 *
 * @since 0.1.0
 * @category presets
 */
export const botocoreStandard2026: RetryPolicy = internal.botocoreStandard2026

/**
 * botocore standard mode with `AWS_NEW_RETRIES_2026=true`, DynamoDB: 4 attempts, 25 ms base.
 *
 * @since 0.1.0
 * @category presets
 */
export const botocoreStandard2026DynamoDB: RetryPolicy = internal.botocoreStandard2026DynamoDB

/**
 * One attempt, no retries.
 *
 * @since 0.1.0
 * @category presets
 */
export const none: RetryPolicy = internal.none

/**
 * rebound's recommended default.
 *
 * @example
 * ```ts
 * import { CallError, Presets, RetryPolicy } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const call: Effect.Effect<string, CallError.CallError> = Effect.succeed("ok") // your call
 *
 * // rebound's default, or AWS's own behaviour to the number where that is what you want:
 * const retried = call.pipe(RetryPolicy.retry(Presets.rebound))
 * const likeTheSdk = call.pipe(RetryPolicy.retry(Presets.awsJs2026))
 * ```
 *
 * @since 0.1.0
 * @category presets
 */
export const rebound: RetryPolicy = internal.rebound

/**
 * Every preset by name.
 *
 * @since 0.1.0
 * @category presets
 */
export const all: ReadonlyArray<RetryPolicy> = [
  awsJs2026,
  awsJs2026DynamoDB,
  awsJs2026Adaptive,
  awsJsPre2026,
  botocoreLegacy,
  botocoreLegacyDynamoDB,
  botocoreStandard,
  botocoreStandard2026,
  botocoreStandard2026DynamoDB,
  none,
  rebound
]
