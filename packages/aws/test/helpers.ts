import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb"
import { Lab } from "@rebound/aws/testing"
import { RetryPolicy } from "@rebound/core"
import { Effect } from "effect"

/** Millisecond delays, so integration tests over real HTTP stay fast. */
export const fast = RetryPolicy.make({
  name: "fast",
  maxAttempts: 4,
  base: "2 millis",
  cap: "20 millis",
  throttling: { base: "5 millis" },
  retryAfter: { maxExtra: "10 millis", maxDelay: "50 millis" }
})

/** A lab with rebound's services, shared by a test file. */
export const labWithServices = (options?: Lab.Options, services?: Lab.ServiceOptions) =>
  Lab.layerWithServices(options, { policy: fast, ...services })

/** Every key (`pk`) in a table, read straight from the server: no proxy, no faults. */
export const keysInTable = (lab: Lab.Lab, table: string) =>
  Effect.promise(async () => {
    const client = new DynamoDBClient(lab.upstreamClientConfig.dynamodb)
    const keys: Array<string> = []
    let start: Record<string, AttributeValue> | undefined
    do {
      const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }))
      for (const i of page.Items ?? []) keys.push(i.pk!.S!)
      start = page.LastEvaluatedKey
    } while (start !== undefined)
    client.destroy()
    return keys
  })
