// The packaging test's smoke program, run in a fresh project outside the workspace where npm installed the packed
// tarballs next to `effect` and `@aws-sdk/client-dynamodb` only. The same text is compiled as an ES module
// (`esm.mts`) and as CommonJS (`cjs.cts`, where every import becomes a `require`), type-checked under NodeNext,
// Bundler and node10 resolution, then run on each Node version. It prints one JSON line for the test to check.
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb"
import { AwsError, RetryStrategy } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import { CallError, RetryEvent, RetryPolicy } from "@rebound/core"
import { Effect, Layer } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

// A stand-in DynamoDB on loopback: the first request of each table name is throttled the way DynamoDB encodes it,
// the next one answers; the name "invalid" always gets a ValidationException.
const seen = new Map<string, number>()
const server = http.createServer((request, response) => {
  let body = ""
  request.on("data", (chunk: Buffer) => (body += chunk.toString()))
  request.on("end", () => {
    const start = (JSON.parse(body || "{}") as { ExclusiveStartTableName?: string }).ExclusiveStartTableName ?? ""
    const count = (seen.get(start) ?? 0) + 1
    seen.set(start, count)
    const [status, type, answer] = start === "invalid" ?
      [400, "ValidationException", {}] :
      count === 1 ?
      [400, "ProvisionedThroughputExceededException", {}] :
      [200, undefined, { TableNames: [`after-${start}`] }]
    response.writeHead(status, { "content-type": "application/x-amz-json-1.0" })
    response.end(JSON.stringify(
      type === undefined ? answer : { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: type }
    ))
  })
})

const fast = RetryPolicy.make({ name: "smoke", base: "1 millis", throttling: { base: "1 millis" } })

const main = async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const client = { region: "us-east-1", endpoint, credentials: { accessKeyId: "smoke", secretAccessKey: "smoke" } }
  const events: Array<string> = []

  // The Effect face: the service layer, a throttle retried, a fatal failure typed, events observed.
  const program = Effect.gen(function*() {
    const ddb = yield* DynamoDB.DynamoDB
    const listed = yield* ddb.send(new ListTablesCommand({ ExclusiveStartTableName: "effect" }))
    const fatal = yield* Effect.flip(ddb.send(new ListTablesCommand({ ExclusiveStartTableName: "invalid" })))
    return { tables: listed.TableNames ?? [], fatal }
  }).pipe(
    Effect.provide(Layer.merge(
      DynamoDB.layer({ ...client, policy: fast }),
      RetryEvent.addObserver((event) => Effect.sync(() => events.push(event._tag)))
    ))
  )
  const { fatal, tables } = await Effect.runPromise(program)

  // The SDK adapter: a plain client whose retries rebound decides.
  const plain = new DynamoDBClient({ ...client, retryStrategy: RetryStrategy.make(fast, { service: "DynamoDB" }) })
  const viaStrategy = await plain.send(new ListTablesCommand({ ExclusiveStartTableName: "strategy" }))
  plain.destroy()

  const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
  const classified = AwsError.classify(reset, { service: "DynamoDB", operation: "GetItem" })
  server.close()
  console.log(JSON.stringify({
    tables,
    retried: events.filter((tag) => tag === "RetryScheduled").length,
    fatalTag: fatal._tag,
    fatalIsFatalError: fatal instanceof CallError.FatalError,
    fatalCode: fatal.code,
    strategyTables: viaStrategy.TableNames ?? [],
    strategyAttempts: viaStrategy.$metadata.attempts,
    classified: classified._tag
  }))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
