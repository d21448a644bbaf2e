import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as ClientConfig from "../../ClientConfig.js"
import type * as Lab from "../Lab.js"
import { LabError } from "../LabError.js"
import * as dynamodb from "./dynamodb.js"
import * as lambdaServer from "./lambdaServer.js"
import * as proxy from "./proxy.js"
import * as s3 from "./s3.js"

// s3rver accepts only this key pair (and checks signatures); dynalite and the Lambda server accept anything.
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const

const clientConfigs = (region: string, endpoints: Lab.Endpoints): Lab.ClientConfigs => {
  const settings = (endpoint: string): Lab.ClientSettings => ({
    ...ClientConfig.owned({ region, endpoint, credentials }),
    region,
    endpoint,
    credentials
  })
  return {
    dynamodb: settings(endpoints.dynamodb),
    s3: {
      ...settings(endpoints.s3),
      forcePathStyle: true,
      // s3rver stores aws-chunked framing verbatim, corrupting streamed bodies, unless checksums are only sent when
      // an operation requires them.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED"
    },
    lambda: settings(endpoints.lambda)
  }
}

export const make = (options: Lab.Options = {}): Effect.Effect<Lab.Lab, LabError, Scope.Scope> =>
  Effect.gen(function*() {
    const region = options.region ?? "us-east-1"
    const servers = yield* Effect.all({
      dynamodb: dynamodb.start,
      s3: s3.start,
      lambda: lambdaServer.make(options.functions === undefined ? {} : { functions: options.functions })
    }, { concurrency: "unbounded" })
    const upstreams: Lab.Endpoints = {
      dynamodb: servers.dynamodb,
      s3: servers.s3.url,
      lambda: servers.lambda.url
    }
    const faults = yield* proxy.make(upstreams, options.ports ?? {})
    const upstreamClientConfig = clientConfigs(region, upstreams)

    // Fixtures are set up on the upstreams directly, so scripted faults never hit them.
    const admin = yield* Effect.acquireRelease(
      Effect.sync(() => ({
        dynamodb: new DynamoDBClient(upstreamClientConfig.dynamodb),
        s3: new S3Client(upstreamClientConfig.s3)
      })),
      (clients) =>
        Effect.sync(() => {
          clients.dynamodb.destroy()
          clients.s3.destroy()
        })
    )

    const createTable = (name: string, table: Lab.TableOptions = {}) => {
      const hashKey = table.hashKey ?? "pk"
      const keys = [
        { name: hashKey, type: "HASH" as const },
        ...(table.rangeKey === undefined ? [] : [{ name: table.rangeKey, type: "RANGE" as const }])
      ]
      return Effect.tryPromise({
        try: (abortSignal) =>
          admin.dynamodb.send(
            new CreateTableCommand({
              TableName: name,
              BillingMode: "PAY_PER_REQUEST",
              AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: "S" })),
              KeySchema: keys.map((k) => ({ AttributeName: k.name, KeyType: k.type }))
            }),
            { abortSignal }
          ),
        catch: (cause) => new LabError({ component: "dynamodb", action: `create table ${name}`, cause })
      }).pipe(Effect.asVoid)
    }

    const createBucket = (name: string) =>
      Effect.tryPromise({
        try: (abortSignal) => admin.s3.send(new CreateBucketCommand({ Bucket: name }), { abortSignal }),
        catch: (cause) => new LabError({ component: "s3", action: `create bucket ${name}`, cause })
      }).pipe(Effect.asVoid)

    yield* Effect.forEach(options.tables ?? [], (name) => createTable(name), { discard: true })
    yield* Effect.forEach(options.buckets ?? [], createBucket, { discard: true })

    return {
      endpoints: faults.endpoints,
      upstreams,
      clientConfig: clientConfigs(region, faults.endpoints),
      upstreamClientConfig,
      push: faults.push,
      chaos: faults.chaos,
      latencyTail: faults.latencyTail,
      setTable: faults.setTable,
      setPrefix: faults.setPrefix,
      clear: faults.clear,
      pending: faults.pending,
      log: faults.log,
      register: servers.lambda.register,
      executions: servers.lambda.executions,
      createTable,
      createBucket,
      s3rver: { directory: servers.s3.directory, pid: servers.s3.pid }
    }
  })
