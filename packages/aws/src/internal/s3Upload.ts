import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand
} from "@aws-sdk/client-s3"
import { CallError, InvalidOption } from "@rebound/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import type * as AwsCall from "../AwsCall.js"
import type * as S3 from "../S3.js"
import { send } from "./send.js"

const MiB = 1024 * 1024
const minPart = 5 * MiB
const maxPart = 5 * 1024 * MiB

const invalid = (field: string, value: string, expected: string) =>
  new InvalidOption.InvalidOptionError({ constructorName: "S3.upload", field, value, expected })

const toBytes = (chunk: unknown): Uint8Array =>
  chunk instanceof Uint8Array
    ? chunk
    : typeof chunk === "string"
    ? Buffer.from(chunk)
    : Buffer.from(chunk as ArrayBuffer)

/**
 * Cuts any body into parts of exactly `size` bytes (the last may be shorter). Each part is a buffer of its own, so a
 * failed part can be sent again even when the body itself is a one-shot stream.
 */
async function* partsOf(body: S3.UploadBody, size: number): AsyncGenerator<Uint8Array> {
  if (typeof body === "string" || body instanceof Uint8Array) {
    const bytes = toBytes(body)
    if (bytes.length === 0) yield bytes
    for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size)
    return
  }
  const source: AsyncIterable<unknown> = Symbol.asyncIterator in body ?
    body as AsyncIterable<unknown> :
    (async function*() {
      const reader = (body as ReadableStream<Uint8Array>).getReader()
      try {
        while (true) {
          const { done, value } = await reader.read()
          if (done) return
          yield value
        }
      } finally {
        reader.releaseLock()
      }
    })()
  let pending: Array<Uint8Array> = []
  let filled = 0
  let yielded = false
  for await (const piece of source) {
    let bytes = toBytes(piece)
    while (bytes.length > 0) {
      const take = Math.min(size - filled, bytes.length)
      pending.push(bytes.subarray(0, take))
      filled += take
      bytes = bytes.subarray(take)
      if (filled === size) {
        yield Buffer.concat(pending)
        yielded = true
        pending = []
        filled = 0
      }
    }
  }
  if (filled > 0 || !yielded) yield Buffer.concat(pending)
}

const bodyError = (input: S3.UploadInput, cause: unknown) =>
  new CallError.FatalError({
    service: "S3",
    operation: "Upload",
    code: "BodyReadError",
    detail: "reading the body to upload failed",
    reason: "client",
    resource: input.Bucket,
    cause
  })

/** @internal */
export const upload = (
  service: AwsCall.Service,
  input: S3.UploadInput,
  options?: S3.UploadOptions
): Effect.Effect<S3.UploadResult, CallError.CallError | InvalidOption.InvalidOptionError> =>
  Effect.gen(function*() {
    const partSize = options?.partSize ?? 8 * MiB
    const queueSize = options?.queueSize ?? 4
    if (typeof input.Bucket !== "string" || input.Bucket.length < 3) {
      return yield* Effect.fail(invalid("Bucket", String(input.Bucket), "a bucket name of 3 or more characters"))
    }
    if (typeof input.Key !== "string" || input.Key.length === 0) {
      return yield* Effect.fail(invalid("Key", String(input.Key), "a non-empty key"))
    }
    if (!Number.isInteger(partSize) || partSize < minPart || partSize > maxPart) {
      return yield* Effect.fail(
        invalid("partSize", String(partSize), `an integer number of bytes in [${minPart}, ${maxPart}]`)
      )
    }
    if (!Number.isInteger(queueSize) || queueSize < 1) {
      return yield* Effect.fail(invalid("queueSize", String(queueSize), "an integer ≥ 1"))
    }
    const { Body, ...rest } = input
    const parts = partsOf(Body, partSize)[Symbol.asyncIterator]()
    const next = Effect.tryPromise({ try: () => parts.next(), catch: (cause) => bodyError(input, cause) })
    const first = yield* next
    const second = first.done ? first : yield* next
    const callOptions = options?.send

    if (first.done || second.done) {
      // One part only: a single PutObject with a buffered (so replayable) body.
      const bytes = first.done ? new Uint8Array(0) : first.value
      const out = yield* send(service, new PutObjectCommand({ ...rest, Body: bytes }), callOptions)
      return { Bucket: input.Bucket, Key: input.Key, ETag: out.ETag, multipart: false, parts: 1, bytes: bytes.length }
    }

    const created = yield* send(service, new CreateMultipartUploadCommand({ ...rest }), callOptions)
    const uploadId = created.UploadId
    if (uploadId === undefined) {
      return yield* Effect.fail(
        new CallError.FatalError({
          service: "S3",
          operation: "CreateMultipartUpload",
          code: "MissingUploadId",
          reason: "unknown",
          resource: input.Bucket
        })
      )
    }
    let bytes = 0
    const remaining = Stream.fromAsyncIterable(
      { [Symbol.asyncIterator]: () => parts },
      (cause) => bodyError(input, cause)
    )
    const uploaded = yield* Stream.make(first.value, second.value).pipe(
      Stream.concat(remaining),
      Stream.zipWithIndex,
      // Each part is its own retried call; a failed part does not restart the upload.
      Stream.mapEffect(([body, index]) => {
        bytes += body.length
        return Effect.map(
          send(
            service,
            new UploadPartCommand({
              Bucket: input.Bucket,
              Key: input.Key,
              UploadId: uploadId,
              PartNumber: index + 1,
              Body: body
            }),
            callOptions
          ),
          (out) => ({ ETag: out.ETag, PartNumber: index + 1 })
        )
      }, { concurrency: queueSize }),
      Stream.runCollect,
      Effect.flatMap((collected) =>
        send(
          service,
          new CompleteMultipartUploadCommand({
            Bucket: input.Bucket,
            Key: input.Key,
            UploadId: uploadId,
            MultipartUpload: { Parts: Chunk.toArray(collected) }
          }),
          callOptions
        )
      ),
      // On failure or interruption, abort the upload so no orphaned parts stay billed.
      Effect.onExit((exit) =>
        Exit.isSuccess(exit) ?
          Effect.void :
          // A cleanup call: never refused by a breaker, budget or quota, even one this upload's failures opened.
          send(service, new AbortMultipartUploadCommand({ Bucket: input.Bucket, Key: input.Key, UploadId: uploadId }), {
            cleanup: true
          })
            .pipe(
              Effect.tapError((e) => Effect.logWarning(`S3.upload: AbortMultipartUpload failed (${e.code})`)),
              Effect.ignore
            )
      )
    )
    return {
      Bucket: input.Bucket,
      Key: input.Key,
      ETag: uploaded.ETag,
      multipart: true,
      parts: Math.ceil(bytes / partSize),
      bytes
    }
  })
