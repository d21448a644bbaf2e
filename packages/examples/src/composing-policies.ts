/**
 * Composing policies in an Effect app: per-service defaults in layers, a per-operation override, a per-call override,
 * and one retry quota shared by every call of the app.
 *
 * The quota is what keeps an outage from becoming a retry storm: every retry, whichever service it is for, draws on one
 * bucket; once a burst of failures has drained it, calls stop retrying (stop reason `quota`) and the extra load falls
 * back to about 1×, until successes refill it.
 *
 * Run it: `pnpm example:composing`
 *
 * @since 0.1.0
 */
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { HeadBucketCommand } from "@aws-sdk/client-s3"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab } from "@rebound/aws/testing"
import { type InvalidOption, Presets, RetryPolicy, RetryQuota } from "@rebound/core"
import { Effect, Layer } from "effect"
import { runMain } from "./internal/run.js"

/** One bucket for the whole app: the key ignores the service. 60 tokens: a dozen retries at 5 each. */
export const appQuota = RetryQuota.make({
  name: "app",
  capacity: 60,
  retryCost: 10,
  throttlingRetryCost: 5,
  key: () => "app"
})

const millis = { base: "2 millis", throttling: { base: "5 millis" } } as const

/** DynamoDB: the AWS 2026 DynamoDB curves (4 attempts), on the shared quota. */
export const dynamodbPolicy = RetryPolicy.modify(Presets.awsJs2026DynamoDB, { name: "ddb", quota: appQuota, ...millis })

/** S3: 3 attempts, on the same quota. */
export const s3Policy = RetryPolicy.modify(Presets.awsJs2026, { name: "s3", quota: appQuota, ...millis })

/** PutItem writes orders: a longer time budget and more attempts than the service default. */
export const putPolicy = RetryPolicy.modify(dynamodbPolicy, {
  name: "ddb-put",
  maxAttempts: 8,
  maxElapsed: "5 seconds"
})

/**
 * The services, each with its own defaults, and an override for one operation.
 *
 * @since 0.1.0
 */
export const services = (lab: Lab.Lab) =>
  Layer.merge(
    DynamoDB.layer({
      region: lab.clientConfig.dynamodb.region,
      endpoint: lab.endpoints.dynamodb,
      credentials: lab.clientConfig.dynamodb.credentials,
      policy: dynamodbPolicy,
      operations: { PutItem: { policy: putPolicy } }
    }),
    S3.layer({
      region: lab.clientConfig.s3.region,
      endpoint: lab.endpoints.s3,
      credentials: lab.clientConfig.s3.credentials,
      policy: s3Policy,
      sdk: {
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED"
      }
    })
  )

/**
 * @since 0.1.0
 */
export interface Result {
  /** Attempts each call made, and which policy decided. */
  readonly put: { readonly attempts: number; readonly policy: string }
  readonly head: { readonly attempts: number; readonly policy: string }
  readonly healthCheck: { readonly attempts: number; readonly policy: string; readonly stopReason: string | undefined }
  /** Calls during the outage, and why each stopped. */
  readonly outage: ReadonlyArray<string>
  readonly quotaLeft: number
  readonly ok: boolean
}

/** The failure of a call that must fail. */
const failure = <A, E>(call: Effect.Effect<A, E>) =>
  Effect.flip(call).pipe(Effect.orDieWith(() => new Error("the call was expected to fail")))

const attemptsOf = (lab: Lab.Lab, operation: string) =>
  Effect.map(lab.log, (log) => log.filter((e) => e.operation === operation).length)

/**
 * Runs calls through the layers, then an outage that drains the shared quota.
 *
 * @since 0.1.0
 */
export const program: Effect.Effect<Result, InvalidOption.InvalidOptionError, Lab.Lab> = Effect.gen(function*() {
  const lab = yield* Lab.Lab
  yield* Effect.orDie(lab.createTable("composed"))
  yield* Effect.orDie(lab.createBucket("composed-assets"))
  return yield* Effect.gen(function*() {
    const ddb = yield* DynamoDB.DynamoDB
    const s3 = yield* S3.S3
    // Per operation: PutItem gets 8 attempts; its 5 throttles are absorbed.
    yield* lab.clear
    yield* Effect.orDie(lab.push({ service: "dynamodb", operation: "PutItem", fault: Fault.throttle(), times: 5 }))
    yield* Effect.orDie(ddb.send(new PutItemCommand({ TableName: "composed", Item: { pk: { S: "o-1" } } })))
    const put = { attempts: yield* attemptsOf(lab, "PutItem"), policy: putPolicy.name }
    // Per service: S3's policy retries a 503 twice.
    yield* Effect.orDie(lab.push({ service: "s3", operation: "HeadBucket", fault: Fault.serverError(503), times: 2 }))
    yield* Effect.orDie(s3.send(new HeadBucketCommand({ Bucket: "composed-assets" })))
    const head = { attempts: yield* attemptsOf(lab, "HeadBucket"), policy: s3Policy.name }
    // Per call: a health check must fail fast, whatever the service's policy says.
    yield* Effect.orDie(
      lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.serverError(503), times: 1 })
    )
    const health = yield* failure(
      ddb.send(new GetItemCommand({ TableName: "composed", Key: { pk: { S: "o-1" } } }), { policy: Presets.none })
    )
    const healthCheck = {
      attempts: yield* attemptsOf(lab, "GetItem"),
      policy: "none",
      stopReason: health.retries?.stopReason
    }
    // An outage of both services: retries drain the shared quota, then calls stop retrying.
    yield* lab.clear
    yield* Effect.orDie(lab.push(
      { service: "dynamodb", operation: "GetItem", fault: Fault.serverError(503), times: Infinity },
      { service: "s3", operation: "HeadBucket", fault: Fault.serverError(503), times: Infinity }
    ))
    const outage: Array<string> = []
    for (let i = 0; i < 6; i++) {
      const a = yield* failure(ddb.send(new GetItemCommand({ TableName: "composed", Key: { pk: { S: "x" } } })))
      const b = yield* failure(s3.send(new HeadBucketCommand({ Bucket: "composed-assets" })))
      outage.push(
        `DynamoDB ${a.retries?.stopReason}/${a.retries?.attempts}`,
        `S3 ${b.retries?.stopReason}/${b.retries?.attempts}`
      )
    }
    yield* lab.clear
    const quotaLeft = yield* RetryQuota.current(appQuota, { service: "any", operation: "any" })
    return {
      put,
      head,
      healthCheck,
      outage,
      quotaLeft,
      ok: put.attempts === 6 && head.attempts === 3 && healthCheck.attempts === 1 &&
        outage.some((o) => o.includes("quota")) && outage.at(-1)!.includes("quota/1")
    } satisfies Result
  }).pipe(Effect.provide(services(lab)))
})

runMain(import.meta, program)
