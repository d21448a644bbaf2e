// One process of a fleet draining a throttled table: run as a child process by FleetDrain.test.ts. It writes its share
// of the items (UpdateItem ADD n 1, so an item written twice would show n = 2) through rebound's DynamoDB service,
// whose guards live in a fleet store on Redis or DynamoDB, and prints one JSON line of what it saw.
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as DynamoDBStore from "@rebound/aws/DynamoDBStore"
import { AdaptiveLimiter, FleetStore, RetryEvent, RetryPolicy } from "@rebound/core"
import { RedisStore } from "@rebound/redis"
import { Effect, Layer } from "effect"

interface Args {
  readonly process: string
  readonly store: "redis" | "dynamodb"
  readonly redisPort: number
  readonly endpoint: string
  readonly upstream: string
  readonly table: string
  readonly storeTable: string
  readonly from: number
  readonly to: number
  readonly workers: number
}

const args = JSON.parse(process.argv[2]!) as Args

/** The fleet scenario's policy: a shared CUBIC limiter (β 0.8, scale 4), patient retries that never give up early. */
export const policy = RetryPolicy.make({
  name: "fleet-drain",
  maxAttempts: 200,
  maxElapsed: "2 minutes",
  base: 10,
  cap: 500,
  jitter: "full",
  throttling: { base: 50, cap: 1_000 },
  limiter: AdaptiveLimiter.make({ name: "fleet", beta: 0.8, scaleConstant: 4 })
})

const counts = { attempts: 0, throttles: 0, fellBack: 0, resumed: 0 }
const observer = RetryEvent.addObserver((e) =>
  Effect.sync(() => {
    if (e._tag === "AttemptStarted") counts.attempts++
    if (e._tag === "AttemptFailed" && e.failure.failureClass === "throttling") counts.throttles++
    if (e._tag === "StoreFellBack") counts.fellBack++
    if (e._tag === "StoreResumed") counts.resumed++
  })
)
const credentials = { accessKeyId: "x", secretAccessKey: "x" }
const fleet: FleetStore.Options = { process: args.process, syncInterval: "250 millis", syncTimeout: "200 millis" }
let engine: { readonly counters: { readonly requests: number } } | undefined
const storeLayer = Layer.unwrapScoped(
  Effect.map(
    args.store === "redis" ?
      RedisStore.engine({ redis: { port: args.redisPort } }) :
      DynamoDBStore.engine({
        table: args.storeTable,
        sdk: { region: "us-east-1", endpoint: args.upstream, credentials }
      }),
    (e) => {
      engine = e
      return FleetStore.layer(Effect.succeed(e), fleet)
    }
  )
)

const program = Effect.gen(function*() {
  const ddb = yield* DynamoDB.DynamoDB
  const items = Array.from({ length: args.to - args.from }, (_, i) => `item-${args.from + i}`)
  const startedAt = Date.now()
  let failures = 0
  yield* Effect.forEach(
    items,
    (pk) =>
      ddb.send(
        new UpdateItemCommand({
          TableName: args.table,
          Key: { pk: { S: pk } },
          UpdateExpression: "ADD n :one",
          ExpressionAttributeValues: { ":one": { N: "1" } }
        })
      ).pipe(Effect.catchAll(() => Effect.sync(() => failures++))),
    { concurrency: args.workers, discard: true }
  )
  const endedAt = Date.now()
  return { ...counts, failures, startedAt, endedAt, items: items.length }
})

const services = DynamoDB.layer({
  region: "us-east-1",
  endpoint: args.endpoint,
  credentials,
  guardScope: "fleet-drain",
  policy
}).pipe(
  // The calls read the store from their own context: the store layer (built with the observer, for its events) is
  // merged into the program's.
  Layer.merge(Layer.provide(storeLayer, observer)),
  Layer.provideMerge(observer)
)

Effect.runPromise(Effect.scoped(Effect.provide(program, services))).then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ ...result, storeRequests: engine?.counters.requests ?? 0 })}\n`)
    process.exit(0)
  },
  (error) => {
    process.stderr.write(`drainer failed: ${String(error)}\n`)
    process.exit(1)
  }
)
