import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { expect, layer } from "@effect/vitest"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab } from "@rebound/aws/testing"
import { CircuitBreaker, RetryPolicy, StateStore } from "@rebound/core"
import { Effect, Exit } from "effect"
import * as net from "node:net"
import { fast, labWithServices } from "./helpers.js"

// Guard state belongs to a client instance: real SDK clients over HTTP, one pointed at a dead endpoint, one at the lab.

/** Opens after 3 transient failures in a row; the same breaker value is given to every client below. */
const breaker = CircuitBreaker.consecutive({ name: "per-client", threshold: 3, breakDuration: "1 minute" })
const policy = RetryPolicy.modify(fast, { name: "owned", maxAttempts: 3, breaker })

/** A loopback port nothing listens on: every connection is refused, a transient failure. */
const deadEndpoint = Effect.promise(() =>
  new Promise<string>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })
)

const getItem = new GetItemCommand({ TableName: "owned", Key: { pk: { S: "1" } } })

layer(labWithServices({ tables: ["owned"], buckets: ["cleanup"] }), { excludeTestServices: true })(
  "guard state per client instance",
  (it) => {
    it.effect("a dead us-east-1 client's open breaker does not refuse a healthy eu-west-1 client's calls", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        yield* lab.clear
        const settings = lab.clientConfig.dynamodb
        const dead = yield* DynamoDB.make({
          region: "us-east-1",
          endpoint: yield* deadEndpoint,
          credentials: settings.credentials,
          policy
        })
        const healthy = yield* DynamoDB.make({
          region: "eu-west-1",
          endpoint: settings.endpoint,
          credentials: settings.credentials,
          policy
        })
        const failed = yield* Effect.flip(dead.send(getItem))
        expect(failed.retries?.attempts).toBe(3) // three refused connections: its breaker opened
        expect((yield* Effect.flip(dead.send(getItem))).code).toBe("CircuitOpen")
        const ok = yield* Effect.exit(healthy.send(getItem))
        expect(Exit.isSuccess(ok)).toBe(true)
        expect((yield* lab.log).filter((e) => e.operation === "GetItem")).toHaveLength(1)
      }).pipe(Effect.scoped))

    it.effect("layers built separately never share state, and a closed layer leaves none behind", () => {
      const store = StateStore.makeMemory()
      return Effect.gen(function*() {
        const lab = yield* Lab.Lab
        yield* lab.clear
        const settings = lab.clientConfig.dynamodb
        const endpoint = yield* deadEndpoint
        const options = { region: "us-east-1", endpoint, credentials: settings.credentials, policy }
        const first = yield* Effect.scoped(Effect.gen(function*() {
          const ddb = yield* DynamoDB.make(options)
          yield* Effect.flip(ddb.send(getItem))
          expect((yield* store.keys).some((k) => k.startsWith("breaker/per-client/"))).toBe(true)
          return (yield* Effect.flip(ddb.send(getItem))).code
        }))
        expect(first).toBe("CircuitOpen")
        const second = yield* Effect.scoped(
          Effect.flatMap(DynamoDB.make(options), (ddb) => Effect.flip(ddb.send(getItem)))
        )
        // A fresh client with the same settings starts closed: it tries the endpoint again (and fails on its own).
        expect(second.code).not.toBe("CircuitOpen")
        expect(second.retries?.attempts).toBe(3)
        expect(yield* store.size).toBe(0) // each closed layer released its client's state
      }).pipe(Effect.provideService(StateStore.StateStore, store))
    })

    it.effect("clients given the same guardScope share their breaker on purpose", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        yield* lab.clear
        const settings = lab.clientConfig.dynamodb
        const endpoint = yield* deadEndpoint
        const options = { endpoint, credentials: settings.credentials, policy, guardScope: "orders-fleet" }
        const a = yield* DynamoDB.make({ ...options, region: "us-east-1" })
        const b = yield* DynamoDB.make({ ...options, region: "us-east-1" })
        yield* Effect.flip(a.send(getItem))
        expect((yield* Effect.flip(b.send(getItem))).code).toBe("CircuitOpen")
      }).pipe(Effect.scoped, Effect.provideService(StateStore.StateStore, StateStore.makeMemory())))

    it.effect("an open breaker never refuses the AbortMultipartUpload that cleans up a failed upload", () =>
      Effect.gen(function*() {
        const lab = yield* Lab.Lab
        yield* lab.clear
        yield* lab.push({ service: "s3", operation: "UploadPart", fault: Fault.serverError(500), times: Infinity })
        const body = Buffer.alloc(6 * 1024 * 1024, 7)
        // One part at a time, and a fourth attempt the breaker (open after three failures) refuses: the upload stops on
        // the breaker whatever the timing. With parts in flight together and three attempts, a small part could spend
        // its three attempts before the large one failed once, and stop on maxAttempts instead.
        const error = yield* Effect.flip(
          Effect.flatMap(
            S3.S3,
            (s3) =>
              s3.upload({ Bucket: "cleanup", Key: "doomed.bin", Body: body }, {
                partSize: 5 * 1024 * 1024,
                queueSize: 1
              })
          ).pipe(
            Effect.provide(Lab.services(lab, { policy: RetryPolicy.modify(policy, { maxAttempts: 4 }) }))
          )
        )
        // The part's failures opened the breaker: the upload stopped on it…
        expect(error).toMatchObject({ _tag: "TransientError", retries: { stopReason: "circuitOpen", attempts: 3 } })
        // …and the cleanup still reached S3 (s3rver answers it 405; the request is what matters).
        const log = yield* lab.log
        expect(log.filter((e) => e.operation === "AbortMultipartUpload")).toHaveLength(1)
      }).pipe(Effect.provideService(StateStore.StateStore, StateStore.makeMemory())))
  }
)
