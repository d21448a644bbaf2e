/**
 * The boto3 guide's `@retry_decorator`, rewritten with rebound's Promise face and a TypeScript 5 decorator.
 *
 * The guide's decorator retries only `ThrottlingException` and `ProvisionedThroughputExceededException`, sleeps
 * `2^attempts × base` starting at twice the base, blocks the thread, prints, sleeps once more after the last failure,
 * and raises a bare `Exception`. Here: every AWS error is classified (an S3 `SlowDown` is throttling; access denied is
 * not retried), the backoff is full jitter on the AWS 2026 curves, waiting never blocks, retries go to the same
 * observers as Effect code, and the failure that reaches the caller is typed and says why retries stopped.
 *
 * Run it: `pnpm example:decorator`
 *
 * @since 0.1.0
 */
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3"
import { AwsError } from "@rebound/aws"
import { Fault, Lab } from "@rebound/aws/testing"
import { CallError, Presets, RetryAsync, RetryPolicy } from "@rebound/core"
import { Effect } from "effect"
import { runMain } from "./internal/run.js"

/** Millisecond delays for the example; use `Presets.awsJs2026` (or your own) in production. */
export const policy = RetryPolicy.modify(Presets.awsJs2026, {
  name: "decorated",
  maxAttempts: 5,
  base: "5 millis",
  throttling: { base: "10 millis" }
})

/**
 * The guide's `list_s3_buckets`, as a class whose method is decorated.
 *
 * @since 0.1.0
 */
export class Buckets {
  constructor(readonly s3: S3Client) {}

  @RetryAsync.retryable(policy, {
    service: "S3",
    idempotent: true,
    classify: AwsError.classifier({ service: "S3", operation: "ListBuckets" })
  })
  async list(): Promise<ReadonlyArray<string>> {
    const out = await this.s3.send(new ListBucketsCommand({}))
    return (out.Buckets ?? []).map((b) => b.Name ?? "")
  }
}

/**
 * @since 0.1.0
 */
export interface Result {
  readonly buckets: ReadonlyArray<string>
  /** Requests the decorated call made (two SlowDowns, then success), from the lab's log. */
  readonly attempts: number
  /** The typed failure when the service kept throttling. */
  readonly failure: { readonly tag: string; readonly code: string; readonly stopReason: string | undefined }
  readonly ok: boolean
}

/**
 * Calls the decorated method through injected `SlowDown`s, then through a storm that outlasts the policy.
 *
 * @since 0.1.0
 */
export const program: Effect.Effect<Result, never, Lab.Lab> = Effect.gen(function*() {
  const lab = yield* Lab.Lab
  yield* Effect.orDie(lab.createBucket("decorated-reports"))
  const s3 = new S3Client(lab.clientConfig.s3)
  const buckets = new Buckets(s3)
  yield* lab.clear
  yield* Effect.orDie(lab.push({ service: "s3", operation: "ListBuckets", fault: Fault.throttle(), times: 2 }))
  const listed = yield* Effect.promise(() => buckets.list())
  const attempts = (yield* lab.log).filter((e) => e.operation === "ListBuckets").length
  yield* Effect.orDie(lab.push({ service: "s3", operation: "ListBuckets", fault: Fault.throttle(), times: 20 }))
  const error = yield* Effect.promise(() => buckets.list().then(() => undefined, (e: unknown) => e))
  s3.destroy()
  const failure = CallError.isCallError(error) ?
    { tag: error._tag, code: error.code, stopReason: error.retries?.stopReason } :
    { tag: "unexpected", code: String(error), stopReason: undefined }
  return {
    buckets: listed,
    attempts,
    failure,
    ok: listed.includes("decorated-reports") && attempts === 3 && failure.tag === "ThrottlingError" &&
      failure.code === "SlowDown" && failure.stopReason === "maxAttempts"
  } satisfies Result
})

runMain(import.meta, program)
