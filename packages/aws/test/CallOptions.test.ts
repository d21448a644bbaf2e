import { DynamoDBClient, GetItemCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb"
import { describe, expect, it, layer } from "@effect/vitest"
import { AwsCall, ClientConfig } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab } from "@rebound/aws/testing"
import { Cause, Effect, Exit, Option } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach } from "vitest"
import { labWithServices } from "./helpers.js"

/** The defect a call died with. */
const defectOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined

layer(labWithServices({ tables: ["calls"] }), { excludeTestServices: true })("call options", (it) => {
  it.effect("a bad per-call attemptTimeout dies naming the field, before anything is sent", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const ddb = yield* DynamoDB.DynamoDB
      yield* lab.clear
      const get = new GetItemCommand({ TableName: "calls", Key: { pk: { S: "x" } } })
      for (const attemptTimeout of [-1, 0, NaN, "banana"] as unknown as ReadonlyArray<never>) {
        const defect = defectOf(yield* Effect.exit(ddb.send(get, { attemptTimeout })))
        expect(defect, String(attemptTimeout)).toMatchObject({
          _tag: "InvalidOptionError",
          constructorName: "AwsCall.send",
          field: "options.attemptTimeout"
        })
      }
      expect((yield* lab.log).filter((e) => e.operation === "GetItem")).toHaveLength(0)
    }))

  it.effect("batch and upload options are checked too, failing in their error channel", () =>
    Effect.gen(function*() {
      const ddb = yield* DynamoDB.DynamoDB
      const s3 = yield* S3.S3
      const put = { calls: [{ PutRequest: { Item: { pk: { S: "a" } } } }] }
      expect(yield* Effect.flip(ddb.batchWriteAll(put, { maxElapsed: -1 }))).toMatchObject({
        _tag: "InvalidOptionError",
        constructorName: "DynamoDB.batchWriteAll",
        field: "options.maxElapsed"
      })
      expect(yield* Effect.flip(ddb.batchGetAll({ calls: { Keys: [{ pk: { S: "a" } }] } }, { concurrency: 0 })))
        .toMatchObject({ field: "options.concurrency" })
      expect(yield* Effect.flip(ddb.batchWriteAll(put, { send: { attemptTimeout: "banana" as never } })))
        .toMatchObject({ field: "options.send.attemptTimeout" })
      expect(
        yield* Effect.flip(
          s3.upload({ Bucket: "nowhere", Key: "k", Body: "x" }, { send: { attemptTimeout: NaN } })
        )
      ).toMatchObject({ constructorName: "S3.upload", field: "options.send.attemptTimeout" })
    }))

  it.effect("a hand-built AwsCall.Service is checked on its first call", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const client = new DynamoDBClient(ClientConfig.owned(lab.clientConfig.dynamodb))
      const service: AwsCall.Service = { name: "DynamoDB", client, attemptTimeout: NaN }
      const defect = defectOf(yield* Effect.exit(AwsCall.send(service, new ListTablesCommand({}))))
      client.destroy()
      expect(defect).toMatchObject({ _tag: "InvalidOptionError", field: "attemptTimeout" })
    }))

  it.effect("the durations the documentation shows work per call too", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const ddb = yield* DynamoDB.DynamoDB
      yield* lab.clear
      yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.stall, times: 1 })
      const error = yield* Effect.flip(
        ddb.send(new GetItemCommand({ TableName: "calls", Key: { pk: { S: "x" } } }), {
          attemptTimeout: "50ms" as never,
          policy: undefined,
          idempotent: false
        })
      )
      expect(error).toMatchObject({ _tag: "TransientError", code: "AttemptTimeout" })
      yield* lab.clear
    }))
})

describe("local configuration errors are said in the failure's message", () => {
  // The SDK reads these from the process environment itself.
  const names = [
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE"
  ]
  const saved: Record<string, string | undefined> = {}
  beforeEach(() => {
    for (const name of names) {
      saved[name] = process.env[name]
      delete process.env[name]
    }
    const absent = path.join(os.tmpdir(), "rebound-no-such-aws-file")
    process.env.AWS_CONFIG_FILE = absent
    process.env.AWS_SHARED_CREDENTIALS_FILE = absent
    process.env.AWS_EC2_METADATA_DISABLED = "true"
  })
  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  })

  const listTables = (options: DynamoDB.Options) =>
    Effect.gen(function*() {
      const ddb = yield* DynamoDB.DynamoDB
      return yield* Effect.flip(ddb.send(new ListTablesCommand({})))
    }).pipe(Effect.provide(DynamoDB.layer({ endpoint: "http://127.0.0.1:9", ...options })))

  it.live("no region: the message says the region is missing and where to set it", () =>
    Effect.gen(function*() {
      const error = yield* listTables({ credentials: { accessKeyId: "a", secretAccessKey: "b" } })
      expect(error).toMatchObject({ _tag: "FatalError", code: "RegionMissing", reason: "configuration" })
      expect(error.message).toContain("DynamoDB.ListTables was not sent: no AWS region is configured")
      expect(error.message).toContain("AWS_REGION")
      expect(error.retries?.attempts).toBe(1)
    }))

  it.live("no credentials: the message says none could be loaded, not an IAM problem", () =>
    Effect.gen(function*() {
      const error = yield* listTables({ region: "eu-west-1" })
      expect(error).toMatchObject({ _tag: "FatalError", code: "CredentialsProviderError", reason: "auth" })
      expect(error.message).toContain("no AWS credentials could be loaded")
      expect(error.message).toContain("AWS_ACCESS_KEY_ID")
      expect(error.detail).toBe("Could not load credentials from any providers")
    }))

  it.live("an invalid AWS_REGION: the message says the region is not valid", () =>
    Effect.gen(function*() {
      process.env.AWS_REGION = "eu west 1"
      const error = yield* listTables({ credentials: { accessKeyId: "a", secretAccessKey: "b" } })
      expect(error).toMatchObject({ _tag: "FatalError", code: "RegionInvalid" })
      expect(error.message).toContain("the configured AWS region is not valid")
    }))
})
