// s3rver behind the proxy: pagination (which needs OpenSSL's legacy provider, set by the lab on s3rver's own
// process, not by this test command) and the operations the proxy tells apart.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  UploadPartCommand
} from "@aws-sdk/client-s3"
import { expect, layer } from "@effect/vitest"
import { Fault, Lab } from "@rebound/aws/testing"
import { Effect } from "effect"
import * as crypto from "node:crypto"
import { call, failure } from "./labCalls.js"
import { clients, freshLab } from "./labClients.js"

layer(Lab.layer({ buckets: ["pages", "parts"] }), { excludeTestServices: true })("S3 in the lab", (it) => {
  it.scoped("ListObjectsV2 pages through 25 keys, 10 at a time, without NODE_OPTIONS", () =>
    Effect.gen(function*() {
      expect(process.env.NODE_OPTIONS ?? "").not.toContain("openssl-legacy-provider")
      expect(process.execArgv.join(" ")).not.toContain("openssl-legacy-provider")
      // This process cannot do the DES s3rver's continuation tokens need; s3rver's own process can.
      expect(() => crypto.createCipheriv("des", Buffer.alloc(8), Buffer.alloc(8))).toThrow()
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      const keys = Array.from({ length: 25 }, (_, i) => `key-${String(i).padStart(2, "0")}`)
      yield* Effect.forEach(
        keys,
        (Key) =>
          call((abortSignal) =>
            sdk.s3.send(new PutObjectCommand({ Bucket: "pages", Key, Body: Key }), { abortSignal })
          ),
        { concurrency: 5 }
      )
      const pages = yield* Effect.promise(async () => {
        const out: Array<ReadonlyArray<string>> = []
        for await (const page of paginateListObjectsV2({ client: sdk.s3, pageSize: 10 }, { Bucket: "pages" })) {
          out.push((page.Contents ?? []).map((o) => o.Key ?? ""))
        }
        return out
      })
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5])
      expect(pages.flat()).toEqual(keys)
      const lists = (yield* lab.log).filter((e) => e.operation === "ListObjectsV2")
      expect(lists.map((e) => e.status)).toEqual([200, 200, 200])
      const body = yield* call((abortSignal) =>
        sdk.s3.send(new GetObjectCommand({ Bucket: "pages", Key: "key-07" }), { abortSignal })
      )
      expect(yield* Effect.promise(() => body.Body?.transformToString() ?? Promise.resolve(""))).toBe("key-07")
    }))

  it.scoped("a rule on UploadPart faults only the part upload of a multipart upload", () =>
    Effect.gen(function*() {
      const lab = yield* freshLab
      const sdk = yield* clients(lab)
      const target = { Bucket: "parts", Key: "big/object" }
      yield* lab.push({ operation: "UploadPart", resource: "parts/big/", fault: Fault.throttle() })
      const { UploadId } = yield* call((abortSignal) =>
        sdk.s3.send(new CreateMultipartUploadCommand(target), { abortSignal })
      )
      const part = (abortSignal: AbortSignal) =>
        sdk.s3.send(new UploadPartCommand({ ...target, UploadId, PartNumber: 1, Body: "only part" }), { abortSignal })
      expect((yield* failure(part)).name).toBe("SlowDown")
      const { ETag } = yield* call(part) // the rule is spent; the retry goes through
      yield* call((abortSignal) =>
        sdk.s3.send(
          new CompleteMultipartUploadCommand({
            ...target,
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] }
          }),
          { abortSignal }
        )
      )
      const second = yield* call((abortSignal) =>
        sdk.s3.send(new CreateMultipartUploadCommand(target), { abortSignal })
      )
      // s3rver 3.7.1 has no AbortMultipartUpload (no DELETE route with uploadId): it answers 405.
      const abort = yield* failure((abortSignal) =>
        sdk.s3.send(new AbortMultipartUploadCommand({ ...target, UploadId: second.UploadId }), { abortSignal })
      )
      expect(abort.name).toBe("MethodNotAllowed")
      expect((yield* lab.log).map((e) => [e.operation, e.resource, e.action, e.status])).toEqual([
        ["CreateMultipartUpload", "parts/big/object", "forward", 200],
        ["UploadPart", "parts/big/object", "Throttle", 503],
        ["UploadPart", "parts/big/object", "forward", 200],
        ["CompleteMultipartUpload", "parts/big/object", "forward", 200],
        ["CreateMultipartUpload", "parts/big/object", "forward", 200],
        ["AbortMultipartUpload", "parts/big/object", "forward", 405]
      ])
    }))
})
