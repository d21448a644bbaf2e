/**
 * Scenario 1 of the boto3 guide — uploading files to S3 despite network timeouts.
 *
 * Files larger than a part go up as multipart uploads whose parts are retried one by one: a part whose connection is
 * reset after it was sent, a part that gets no answer before its attempt timeout, a part the service fails with a 500
 * — each is sent again on its own, while the other parts carry on. Every file is then read back and compared byte for
 * byte. (The SDK's `lib-storage` fails the whole upload on the first part failure.)
 *
 * Run it: `pnpm example:s3`
 *
 * @since 0.1.0
 */
import { GetObjectCommand } from "@aws-sdk/client-s3"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab, type LabError } from "@rebound/aws/testing"
import type { CallError, InvalidOption } from "@rebound/core"
import { type Duration, Effect } from "effect"
import { createHash } from "node:crypto"
import { runMain } from "./internal/run.js"

/**
 * @since 0.1.0
 */
export interface Options {
  readonly files?: number | undefined
  /** Size of each file in MiB; parts are 5 MiB. */
  readonly sizeMiB?: number | undefined
  /** Each attempt's timeout: a stalled part fails after it, so it must outlast a healthy part on a busy machine. */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  readonly seed?: number | undefined
  /** The faults to inject; default {@link defaultFaults}. */
  readonly faults?: ReadonlyArray<Fault.Rule> | undefined
}

/** The key of file `i`; its own prefix, so a fault can be aimed at one file (`resource: "uploads/" + key`). */
export const keyOf = (i: number) => `reports/file-${i}.bin`

/**
 * The network misbehaving on the first attempt of some parts: two connections reset after the part was sent, a part
 * that never gets an answer, a server error. Each fault hits a first attempt only, so each costs exactly one retry.
 */
export const defaultFaults: ReadonlyArray<Fault.Rule> = [
  { service: "s3", operation: "UploadPart", attempt: 1, fault: Fault.resetAfterForward, times: 2 },
  { service: "s3", operation: "UploadPart", attempt: 1, fault: Fault.stall, times: 1 },
  { service: "s3", operation: "UploadPart", attempt: 1, fault: Fault.serverError(500), times: 1 }
]

/**
 * @since 0.1.0
 */
export interface Result {
  readonly files: number
  readonly bytes: number
  readonly parts: number
  /** Files whose read-back matched what was uploaded, byte for byte. */
  readonly verified: number
  readonly ok: boolean
}

/** Deterministic contents, so a read-back can be compared. */
export const contents = (bytes: number, seed: number): Buffer => {
  const out = Buffer.alloc(bytes)
  let x = seed >>> 0 || 1
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

/**
 * Uploads `files` files through injected network faults and verifies each by reading it back.
 *
 * @since 0.1.0
 */
export const program = (
  options: Options = {}
): Effect.Effect<Result, CallError.CallError | InvalidOption.InvalidOptionError | LabError.LabError, Lab.Lab | S3.S3> =>
  Effect.gen(function*() {
    const lab = yield* Lab.Lab
    const s3 = yield* S3.S3
    const files = options.files ?? 3
    const size = Math.round((options.sizeMiB ?? 11) * 1024 * 1024)
    yield* lab.createBucket("uploads")
    yield* lab.push(...(options.faults ?? defaultFaults))
    let bytes = 0
    let parts = 0
    let verified = 0
    for (let i = 0; i < files; i++) {
      const body = contents(size, (options.seed ?? 1) * 1000 + i)
      const key = keyOf(i)
      const uploaded = yield* s3.upload(
        { Bucket: "uploads", Key: key, Body: body },
        { partSize: 5 * 1024 * 1024, send: { attemptTimeout: options.attemptTimeout ?? "5 seconds" } }
      )
      bytes += uploaded.bytes
      parts += uploaded.parts
      const object = yield* s3.send(new GetObjectCommand({ Bucket: "uploads", Key: key }))
      const back = yield* Effect.promise(() => object.Body!.transformToByteArray())
      if (sha256(back) === sha256(body)) verified++
    }
    return { files, bytes, parts, verified, ok: verified === files } satisfies Result
  })

runMain(import.meta, program())
