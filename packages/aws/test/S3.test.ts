import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3"
import { expect, layer } from "@effect/vitest"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab } from "@rebound/aws/testing"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import { labWithServices } from "./helpers.js"

const MiB = 1024 * 1024
/** Deterministic bytes, so a read-back can be compared. */
const bytes = (n: number, seed: number) => {
  const out = Buffer.alloc(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

const readBack = (key: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3.S3
    const object = yield* s3.send(new GetObjectCommand({ Bucket: "uploads", Key: key }))
    return Buffer.from(yield* Effect.promise(() => object.Body!.transformToByteArray()))
  })

layer(labWithServices({ buckets: ["uploads"] }), { excludeTestServices: true })("S3 service", (it) => {
  it.effect("SlowDown is throttling, keeps its code, and is retried", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const s3 = yield* S3.S3
      yield* lab.clear
      yield* lab.push({ service: "s3", operation: "PutObject", fault: Fault.throttle(), times: 2 })
      yield* s3.send(new PutObjectCommand({ Bucket: "uploads", Key: "small.txt", Body: "hello" }))
      expect((yield* readBack("small.txt")).toString()).toBe("hello")
      yield* lab.push({ service: "s3", operation: "PutObject", fault: Fault.throttle(), times: 10 })
      const error = yield* Effect.flip(s3.send(new PutObjectCommand({ Bucket: "uploads", Key: "x", Body: "x" })))
      expect(error).toMatchObject({ _tag: "ThrottlingError", code: "SlowDown", httpStatus: 503 })
    }))

  it.effect("a multipart upload survives failed parts: each part is retried on its own; the bytes read back intact", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const s3 = yield* S3.S3
      yield* lab.clear
      yield* lab.push(
        { service: "s3", operation: "UploadPart", fault: Fault.serverError(500), times: 2 },
        { service: "s3", operation: "UploadPart", fault: Fault.resetAfterForward, times: 1 }
      )
      const body = bytes(12 * MiB + 123, 7)
      const result = yield* s3.upload({ Bucket: "uploads", Key: "big.bin", Body: body }, { partSize: 5 * MiB })
      expect(result).toMatchObject({ multipart: true, parts: 3, bytes: body.length })
      expect(sha(yield* readBack("big.bin"))).toBe(sha(body))
      const log = (yield* lab.log).filter((e) => e.operation === "UploadPart")
      expect(log.length).toBe(6) // 3 parts + 3 retries
      expect((yield* lab.log).filter((e) => e.operation === "CreateMultipartUpload")).toHaveLength(1)
    }))

  it.effect("a one-shot stream body is cut into buffered parts, so its parts can still be retried", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const s3 = yield* S3.S3
      yield* lab.clear
      yield* lab.push({ service: "s3", operation: "UploadPart", fault: Fault.serverError(503), times: 1 })
      const body = bytes(11 * MiB, 11)
      const stream = Readable.from((function*() {
        for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024)
      })())
      const result = yield* s3.upload({ Bucket: "uploads", Key: "stream.bin", Body: stream }, { partSize: 5 * MiB })
      expect(result).toMatchObject({ multipart: true, parts: 3 })
      expect(sha(yield* readBack("stream.bin"))).toBe(sha(body))
    }))

  it.effect("a small stream goes as one PutObject with a buffered, replayable body", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const s3 = yield* S3.S3
      yield* lab.clear
      yield* lab.push({ service: "s3", operation: "PutObject", fault: Fault.serverError(500), times: 1 })
      const result = yield* s3.upload({ Bucket: "uploads", Key: "tiny.txt", Body: Readable.from(["a", "b", "c"]) })
      expect(result).toMatchObject({ multipart: false, parts: 1, bytes: 3 })
      expect((yield* readBack("tiny.txt")).toString()).toBe("abc")
    }))

  it.effect("a raw PutObject with a one-shot stream body is sent once, never retried blindly", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const s3 = yield* S3.S3
      yield* lab.clear
      yield* lab.push({ service: "s3", operation: "PutObject", fault: Fault.serverError(500), times: 1 })
      const error = yield* Effect.flip(
        s3.send(
          new PutObjectCommand({ Bucket: "uploads", Key: "once.txt", Body: Readable.from(["x"]), ContentLength: 1 })
        )
      )
      expect(error.retries).toMatchObject({ attempts: 1, stopReason: "maxAttempts", policy: "fast/one-shot-body" })
    }))

  it.effect("when a part fails for good the multipart upload is aborted, so no parts are left behind", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const s3 = yield* S3.S3
      yield* lab.clear
      yield* lab.push({ service: "s3", operation: "UploadPart", fault: Fault.serverError(500), times: Infinity })
      const error = yield* Effect.flip(
        s3.upload({ Bucket: "uploads", Key: "doomed.bin", Body: bytes(6 * MiB, 3) }, { partSize: 5 * MiB })
      )
      expect(error).toMatchObject({ _tag: "TransientError", code: "InternalError" })
      const log = yield* lab.log
      // s3rver answers AbortMultipartUpload with 405; the request is what matters here.
      expect(log.filter((e) => e.operation === "AbortMultipartUpload")).toHaveLength(1)
    }))

  it.effect("bad upload options are typed errors naming the field", () =>
    Effect.gen(function*() {
      const s3 = yield* S3.S3
      const small = yield* Effect.flip(s3.upload({ Bucket: "uploads", Key: "k", Body: "x" }, { partSize: 1024 }))
      expect(small).toMatchObject({ _tag: "InvalidOptionError", field: "partSize" })
      const noKey = yield* Effect.flip(s3.upload({ Bucket: "uploads", Key: "", Body: "x" }))
      expect(noKey).toMatchObject({ _tag: "InvalidOptionError", field: "Key" })
    }))
})
