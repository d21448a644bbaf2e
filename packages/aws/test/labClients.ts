// SDK clients built from the lab's settings, and the shared lab reset between tests.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { LambdaClient } from "@aws-sdk/client-lambda"
import { S3Client } from "@aws-sdk/client-s3"
import { Lab } from "@rebound/aws/testing"
import { Effect } from "effect"

/** Request timeout settings that make a stalled call fail instead of hanging (LOCAL-AWS-LAB.md §6). */
export const requestTimeout = (ms: number) => ({ requestHandler: { requestTimeout: ms, throwOnRequestTimeout: true } })

export interface Clients {
  readonly dynamodb: DynamoDBClient
  readonly s3: S3Client
  readonly lambda: LambdaClient
}

/** Clients for the lab's proxies (or, with `upstream`, for the servers themselves), destroyed with the scope. */
export const clients = (
  lab: Lab.Lab,
  options: { readonly upstream?: boolean; readonly timeoutMs?: number } = {}
) =>
  Effect.acquireRelease(
    Effect.sync((): Clients => {
      const config = options.upstream ? lab.upstreamClientConfig : lab.clientConfig
      const extra = options.timeoutMs === undefined ? {} : requestTimeout(options.timeoutMs)
      return {
        dynamodb: new DynamoDBClient({ ...config.dynamodb, ...extra }),
        s3: new S3Client({ ...config.s3, ...extra }),
        lambda: new LambdaClient({ ...config.lambda, ...extra })
      }
    }),
    (c) =>
      Effect.sync(() => {
        c.dynamodb.destroy()
        c.s3.destroy()
        c.lambda.destroy()
      })
  )

/** The shared lab with no rules, chaos, limits or log left over from earlier tests. */
export const freshLab = Effect.tap(Lab.Lab, (lab) => lab.clear)
