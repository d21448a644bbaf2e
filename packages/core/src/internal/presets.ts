import * as AdaptiveLimiter from "./adaptiveLimiter.js"
import { make } from "./retryPolicy.js"
import * as RetryQuota from "./retryQuota.js"

/** 500 tokens; a retry costs 14, a throttling retry 5 (`@smithy/core` 3.41.1; botocore with the 2026 flag). */
const quota2026 = RetryQuota.make({ name: "aws-2026", capacity: 500, retryCost: 14, throttlingRetryCost: 5 })

// Numbers and sources: ../shared/reference/AWS-RETRY-FACTS.md §0, §1.2, §1.3, §2.1, §2.3, §2.4.

/** The 2026 standard-mode curves shared by the SDKs: full jitter capped at 20 s before it, throttling from 1 s. */
const standard2026 = {
  cap: 20_000,
  jitter: "full",
  capping: "beforeJitter",
  throttling: { base: 1_000 },
  retryAfter: { maxExtra: 5_000 }
} as const

/** botocore's legacy mode: `base · 2ⁿ` without a cap, hints ignored. */
const legacy = { factor: 2, cap: Infinity, retryAfter: false } as const

/** @internal */
export const awsJs2026 = make({
  name: "aws-js-2026",
  description: "AWS SDK for JavaScript v3 standard mode, 2026 behaviour (@smithy/core 3.41.1)",
  maxAttempts: 3,
  base: 50,
  wholeMillis: true,
  quota: quota2026,
  ...standard2026
})

/** @internal */
export const awsJs2026Adaptive = make({
  name: "aws-js-2026-adaptive",
  description:
    "AWS SDK for JavaScript v3 adaptive mode, 2026 behaviour: standard mode plus the CUBIC rate limiter (@smithy/core 3.41.1)",
  maxAttempts: 3,
  base: 50,
  wholeMillis: true,
  quota: quota2026,
  limiter: AdaptiveLimiter.aws,
  ...standard2026
})

/** @internal */
export const awsJs2026DynamoDB = make({
  name: "aws-js-2026-dynamodb",
  description:
    "AWS SDK for JavaScript v3 standard mode, 2026 behaviour, DynamoDB client (@aws-sdk/client-dynamodb 3.1169.0)",
  maxAttempts: 4,
  base: 25,
  wholeMillis: true,
  quota: quota2026,
  ...standard2026
})

/** @internal */
export const awsJsPre2026 = make({
  name: "aws-js-pre-2026",
  description: "AWS SDK for JavaScript v3 standard mode before 2026 (@smithy/util-retry 4.2.5)",
  maxAttempts: 3,
  base: 100,
  cap: 20_000,
  jitter: "full",
  // floor(min(20000, random · 2^count · base)): the cap was applied after the jitter.
  capping: "afterJitter",
  wholeMillis: true,
  throttling: { base: 500 },
  // max(hint, backoff), then the token capped every delay at 20 s.
  retryAfter: { maxExtra: Infinity, maxDelay: 20_000 },
  // Transient retries cost 10, throttling ones 5 (the refill bug, Math.max, deliberately not reproduced).
  quota: RetryQuota.make({ name: "aws-js-pre-2026", capacity: 500, retryCost: 10, throttlingRetryCost: 5 })
})

/** @internal */
export const botocoreLegacy = make({
  name: "botocore-legacy",
  description: "boto3/botocore legacy mode, the default (botocore 1.43.107, _retry.json)",
  maxAttempts: 5,
  base: 1_000,
  jitter: "full",
  throttling: { base: 1_000 },
  ...legacy
})

/** @internal */
export const botocoreLegacyDynamoDB = make({
  name: "botocore-legacy-dynamodb",
  description: "boto3/botocore legacy mode, DynamoDB (botocore 1.43.107, _retry.json: base 0.05, no jitter)",
  maxAttempts: 10,
  base: 50,
  jitter: "none",
  throttling: { base: 50 },
  ...legacy
})

/** @internal */
export const botocoreStandard = make({
  name: "botocore-standard",
  description: "boto3/botocore standard mode (botocore 1.43.107, retries/standard.py, without AWS_NEW_RETRIES_2026)",
  maxAttempts: 3,
  base: 1_000,
  cap: 20_000,
  jitter: "full",
  capping: "beforeJitter",
  throttling: { base: 1_000 },
  retryAfter: false,
  // retries cost 5, retries after a connect or read timeout 10 (retries/standard.py)
  quota: RetryQuota.make({
    name: "botocore-standard",
    capacity: 500,
    retryCost: 5,
    throttlingRetryCost: 5,
    timeoutRetryCost: 10
  })
})

/** @internal */
export const botocoreStandard2026 = make({
  name: "botocore-standard-2026",
  description: "boto3/botocore standard mode with AWS_NEW_RETRIES_2026=true (botocore 1.43.107)",
  maxAttempts: 3,
  base: 50,
  quota: quota2026,
  ...standard2026
})

/** @internal */
export const botocoreStandard2026DynamoDB = make({
  name: "botocore-standard-2026-dynamodb",
  description: "boto3/botocore standard mode with AWS_NEW_RETRIES_2026=true, DynamoDB (botocore 1.43.107)",
  maxAttempts: 4,
  base: 25,
  quota: quota2026,
  ...standard2026
})

/** @internal */
export const none = make({
  name: "none",
  description: "One attempt, no retries",
  maxAttempts: 1,
  retryAfter: false
})

/**
 * rebound's default, chosen by the simulator on a declared training set and checked on held-out scenarios
 * (docs/benchmarks): a limiter that learns the rate the service admits and is shared by the process, a small retry quota
 * that refunds every retry that works, transient retries growing ×1.5 up to 2 s, throttling retries from 250 ms, four
 * attempts within 20 s. No circuit breaker: its fixed open period delays recovery after every outage.
 * @internal
 */
export const rebound = make({
  name: "rebound",
  description: "rebound's recommended default: a shared limiter that learns the admitted rate, a 100-token retry " +
    "quota (transient retry 14, refunded on success; throttling retries free, the limiter paces them), transient " +
    "backoff ×1.5 up to 2 s, throttling backoff from 250 ms, 4 attempts within 20 s",
  maxAttempts: 4,
  maxElapsed: 20_000,
  base: 50,
  factor: 1.5,
  cap: 2_000,
  jitter: "full",
  capping: "beforeJitter",
  throttling: { base: 250, factor: 2, cap: 20_000, jitter: "full" },
  retryAfter: { maxExtra: 5_000 },
  // A throttle says the service is up and busy: the shared limiter paces throttled retries, so the quota, which stops
  // retries against a service that is down, does not charge them.
  quota: RetryQuota.make({ name: "rebound", capacity: 100, retryCost: 14, throttlingRetryCost: 0 }),
  limiter: AdaptiveLimiter.rebound
})
