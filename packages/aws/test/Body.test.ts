// Bodies that stop or break: a GetObject answer whose body stalls after 1 kB (a raw server on loopback, since the lab's
// proxy forwards whole answers), and a PutObject whose one-shot stream body errors mid-read (the lab's S3).
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { describe, expect, it, layer } from "@effect/vitest"
import { AwsError, ClientConfig } from "@rebound/aws"
import * as S3 from "@rebound/aws/S3"
import { Lab } from "@rebound/aws/testing"
import { Effect, Exit, Fiber } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { Readable } from "node:stream"
import { fast, labWithServices } from "./helpers.js"

const KiB = 1024
const MiB = 1024 * KiB
const object = Buffer.alloc(MiB, 7)

/**
 * An S3 endpoint on 127.0.0.1 whose n-th GetObject (from 1) answers the headers and the first 1 kB of a 1 MiB object,
 * then nothing, when `stalls(n)`; otherwise the whole object. Counts requests, and answers whose connection closed
 * before the body was sent.
 */
interface StallingS3 {
  readonly endpoint: string
  readonly requests: () => number
  readonly cut: () => number
  readonly close: () => void
}

const stallingS3 = (stalls: (n: number) => boolean) =>
  Effect.acquireRelease(
    Effect.async<StallingS3>(
      (resume) => {
        let requests = 0
        let cut = 0
        const server = http.createServer((_req, res) => {
          const n = ++requests
          res.writeHead(200, {
            "content-type": "application/octet-stream",
            "content-length": String(object.length),
            etag: "\"0123456789abcdef0123456789abcdef\"",
            "last-modified": "Sun, 29 Nov 2026 06:00:00 GMT",
            "x-amz-request-id": `REQ-${n}`
          })
          res.write(object.subarray(0, KiB))
          if (stalls(n)) {
            res.on("close", () => cut++)
            return
          }
          res.end(object.subarray(KiB))
        })
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as net.AddressInfo
          resume(Effect.succeed({
            endpoint: `http://127.0.0.1:${port}`,
            requests: () => requests,
            cut: () => cut,
            close: () => {
              server.closeAllConnections()
              server.close()
            }
          }))
        })
      }
    ),
    (s) => Effect.sync(() => s.close())
  )

const reach = (endpoint: string) => ({
  region: "us-east-1",
  endpoint,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" }
})

const s3At = (endpoint: string, options: S3.Options = {}) =>
  S3.make({
    ...reach(endpoint),
    policy: fast,
    sdk: { forcePathStyle: true, responseChecksumValidation: "WHEN_REQUIRED" },
    ...options
  })

describe("a GetObject body that stops after 1 kB of 1 MiB", () => {
  it.live("getObject fails the stalled read within the socket timeout and retries the whole GetObject", () =>
    Effect.gen(function*() {
      const server = yield* stallingS3((n) => n <= 2)
      const s3 = yield* s3At(server.endpoint, { socketTimeout: "300 millis" })
      const result = yield* s3.getObject({ Bucket: "reports", Key: "big.bin" })
      expect(Buffer.from(result.Body).equals(object)).toBe(true)
      // Two stalled reads, each retried as a whole GetObject; the body returned is the last answer's.
      expect(server.requests()).toBeGreaterThanOrEqual(3)
      expect(result.$metadata.requestId).toBe(`REQ-${server.requests()}`)
    }).pipe(Effect.scoped))

  it.live("a body that never resumes fails with a typed, ambiguous TransientError once the policy gives up", () =>
    Effect.gen(function*() {
      const server = yield* stallingS3(() => true)
      const s3 = yield* s3At(server.endpoint, { socketTimeout: "100 millis" })
      const error = yield* Effect.flip(s3.getObject({ Bucket: "reports", Key: "big.bin" }))
      expect(error).toMatchObject({
        _tag: "TransientError",
        reason: "timeout",
        ambiguous: true,
        service: "S3",
        operation: "GetObject",
        retries: { attempts: 4, stopReason: "maxAttempts" }
      })
      expect(server.requests()).toBe(4)
    }).pipe(Effect.scoped))

  it.live("the attempt's deadline covers the body: a stall is cut at the deadline, the connection closed, and retried", () =>
    Effect.gen(function*() {
      const server = yield* stallingS3(() => true)
      const s3 = yield* s3At(server.endpoint) // the default socket timeout (60 s) never fires here
      const error = yield* Effect.flip(
        s3.getObject({ Bucket: "reports", Key: "big.bin" }, { attemptTimeout: "150 millis" })
      )
      expect(error).toMatchObject({ _tag: "TransientError", code: "AttemptTimeout", retries: { attempts: 4 } })
      expect(server.requests()).toBe(4)
      while (server.cut() < 4) yield* Effect.sleep("5 millis") // every stalled connection is closed by the client
    }).pipe(Effect.scoped))

  it.live("interrupting a getObject mid-body closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* stallingS3(() => true)
      const s3 = yield* s3At(server.endpoint)
      const fiber = yield* Effect.fork(s3.getObject({ Bucket: "reports", Key: "big.bin" }))
      while (server.requests() < 1) yield* Effect.sleep("5 millis")
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      while (server.cut() < 1) yield* Effect.sleep("5 millis")
    }).pipe(Effect.scoped))

  it.live("ClientConfig.owned sets a socket timeout: a plain client's stalled body read fails instead of hanging", () =>
    Effect.gen(function*() {
      expect(ClientConfig.owned().requestHandler.socketTimeout).toBe(60_000)
      const server = yield* stallingS3(() => true)
      const client = new S3Client({
        ...ClientConfig.owned({ ...reach(server.endpoint), socketTimeout: "100 millis" }),
        forcePathStyle: true,
        responseChecksumValidation: "WHEN_REQUIRED"
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => client.destroy()))
      const output = yield* Effect.promise(() => client.send(new GetObjectCommand({ Bucket: "reports", Key: "k" })))
      const readError = yield* Effect.promise(() => output.Body!.transformToByteArray().then(() => undefined, (e) => e))
      // What the read throws classifies as a timeout that may have run: a GetObject may be repeated, an Invoke not.
      expect(AwsError.classify(readError, { service: "S3", operation: "GetObject" })).toMatchObject({
        _tag: "TransientError",
        reason: "timeout",
        ambiguous: true
      })
    }).pipe(Effect.scoped))
})

layer(labWithServices({ buckets: ["bodies"] }), { excludeTestServices: true })("a one-shot body that errors", (it) => {
  it.effect("a PutObject whose stream body errors mid-read fails at once with a typed failure; nothing is uncaught, nothing stored", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const s3 = yield* S3.S3
      yield* lab.clear
      const uncaught: Array<unknown> = []
      const onUncaught = (error: unknown) => uncaught.push(error)
      process.on("uncaughtException", onUncaught)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.off("uncaughtException", onUncaught)))
      let pushed = false
      const body = new Readable({
        read() {
          if (pushed) {
            this.destroy(Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" }))
            return
          }
          pushed = true
          this.push(Buffer.alloc(64 * KiB, 1))
        }
      })
      const error = yield* Effect.flip(
        s3.send(new PutObjectCommand({ Bucket: "bodies", Key: "broken.bin", Body: body, ContentLength: MiB }), {
          attemptTimeout: "30 seconds"
        })
      )
      expect(error).toMatchObject({
        _tag: "FatalError",
        code: "RequestBodyError",
        reason: "client",
        retries: { attempts: 1 }
      })
      expect((error.cause as Error).name).toBe("Error")
      expect((error.cause as { readonly code?: string }).code).toBe("EIO")
      yield* Effect.sleep("50 millis") // anything the body emits late would surface now
      expect(uncaught).toEqual([])
      const head = yield* Effect.flip(s3.send(new HeadObjectCommand({ Bucket: "bodies", Key: "broken.bin" })))
      expect(head).toMatchObject({ _tag: "FatalError", reason: "notFound" })
    }).pipe(Effect.scoped))
})
