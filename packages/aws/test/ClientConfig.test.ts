import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { describe, expect, it, layer } from "@effect/vitest"
import { ClientConfig } from "@rebound/aws"
import * as DynamoDB from "@rebound/aws/DynamoDB"
import * as Lambda from "@rebound/aws/Lambda"
import * as S3 from "@rebound/aws/S3"
import { Fault, Lab } from "@rebound/aws/testing"
import { type CallError, Presets, RetryPolicy, StateStore } from "@rebound/core"
import { ConfigProvider, Duration, Effect, Either, type Layer, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rebound-config-"))
let files = 0
/** A shared config file of its own (the SDK caches files by path). */
const configFile = (text: string) => {
  const file = path.join(dir, `config-${++files}`)
  fs.writeFileSync(file, text)
  return file
}
const nowhere = path.join(dir, "absent")
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** An environment of exactly these variables; no shared files unless given. */
const environment = (vars: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(
    new Map(Object.entries({ AWS_CONFIG_FILE: nowhere, AWS_SHARED_CREDENTIALS_FILE: nowhere, ...vars }))
  ))

const readConfig = (vars: Record<string, string>) =>
  ClientConfig.config("DynamoDB").pipe(Effect.either, environment(vars))

describe("ClientConfig.config", () => {
  it.effect("REBOUND_RETRY_POLICY takes a preset as code names it, and the older kebab-case names", () =>
    Effect.gen(function*() {
      for (
        const [name, preset] of [
          ["awsJs2026", Presets.awsJs2026],
          ["Presets.awsJs2026DynamoDB", Presets.awsJs2026DynamoDB],
          ["botocoreLegacy", Presets.botocoreLegacy],
          ["aws-js-2026", Presets.awsJs2026],
          ["botocore-standard-2026-dynamodb", Presets.botocoreStandard2026DynamoDB],
          ["rebound", Presets.rebound]
        ] as const
      ) {
        const options = yield* readConfig({ REBOUND_RETRY_POLICY: name })
        expect(Either.getOrThrow(options).policy, name).toBe(preset)
      }
      const bad = yield* readConfig({ REBOUND_RETRY_POLICY: "fastest" })
      expect(Either.isLeft(bad)).toBe(true)
      const message = String(Either.flip(bad).pipe(Either.getOrThrow))
      expect(message).toContain("REBOUND_RETRY_POLICY")
      expect(message).toContain("awsJs2026")
      expect(message).toContain("\"fastest\"")
    }))

  it.effect("REBOUND_ATTEMPT_TIMEOUT takes every documented duration form", () =>
    Effect.gen(function*() {
      for (
        const [text, millis] of [
          ["5s", 5_000],
          ["5 seconds", 5_000],
          ["5000", 5_000],
          ["500ms", 500],
          ["500 millis", 500],
          ["1m30s", 90_000],
          ["2 minutes", 120_000],
          ["1.5s", 1_500],
          ["Infinity", Infinity]
        ] as const
      ) {
        const options = Either.getOrThrow(yield* readConfig({ REBOUND_ATTEMPT_TIMEOUT: text }))
        expect(Duration.toMillis(Duration.decode(options.attemptTimeout!)), text).toBe(millis)
      }
      for (const text of ["banana", "-5s", "0", "5 parsecs", "5s banana"]) {
        const bad = yield* readConfig({ REBOUND_ATTEMPT_TIMEOUT: text })
        expect(Either.isLeft(bad), text).toBe(true)
        expect(String(Either.flip(bad).pipe(Either.getOrThrow))).toContain("REBOUND_ATTEMPT_TIMEOUT")
      }
    }))

  it.effect("reads AWS_RETRY_MODE and AWS_MAX_ATTEMPTS, refusing what the SDK would misread", () =>
    Effect.gen(function*() {
      const options = Either.getOrThrow(yield* readConfig({ AWS_RETRY_MODE: "Adaptive", AWS_MAX_ATTEMPTS: "5" }))
      expect(options).toMatchObject({ retryMode: "adaptive", maxAttempts: 5 })
      expect(Either.getOrThrow(yield* readConfig({ AWS_MAX_ATTEMPTS: "" })).maxAttempts).toBeUndefined()
      for (
        const [name, value] of [["AWS_MAX_ATTEMPTS", "0"], ["AWS_MAX_ATTEMPTS", "3.5"], ["AWS_RETRY_MODE", "fast"]]
      ) {
        const bad = yield* readConfig({ [name!]: value! })
        expect(String(Either.flip(bad).pipe(Either.getOrThrow)), `${name}=${value}`).toContain(name!)
      }
    }))

  it.effect("REBOUND_RETRY_POLICY names the whole policy: AWS_RETRY_MODE is left out, AWS_MAX_ATTEMPTS kept", () =>
    Effect.gen(function*() {
      const options = Either.getOrThrow(
        yield* readConfig({ REBOUND_RETRY_POLICY: "awsJs2026", AWS_RETRY_MODE: "adaptive", AWS_MAX_ATTEMPTS: "2" })
      )
      expect(options.policy).toBe(Presets.awsJs2026)
      expect(options.retryMode).toBeUndefined()
      expect(options.maxAttempts).toBe(2)
    }))
})

describe("ClientConfig.retryModePolicy", () => {
  it("maps each AWS retry mode to the preset the SDK for JavaScript runs; legacy runs standard, as the SDK does", () => {
    expect(ClientConfig.retryModePolicy("standard", "S3")).toBe(Presets.awsJs2026)
    expect(ClientConfig.retryModePolicy("legacy", "Lambda")).toBe(Presets.awsJs2026)
    expect(ClientConfig.retryModePolicy("adaptive", "S3")).toBe(Presets.awsJs2026Adaptive)
    expect(ClientConfig.retryModePolicy("standard", "DynamoDB")).toBe(Presets.awsJs2026DynamoDB)
    expect(ClientConfig.retryModePolicy("legacy", "DynamoDB")).toBe(Presets.awsJs2026DynamoDB)
    const adaptive = ClientConfig.retryModePolicy("adaptive", "DynamoDB")
    expect(adaptive).toMatchObject({ name: "aws-js-2026-adaptive-dynamodb", maxAttempts: 4 })
    expect(adaptive.backoff.baseMillis).toBe(25)
    expect(adaptive.limiter).toBe(Presets.awsJs2026Adaptive.limiter)
  })

  it("presetNamed finds presets by the names code and the older releases use", () => {
    expect(ClientConfig.presetNamed("Presets.botocoreLegacy")).toEqual(Option.some(Presets.botocoreLegacy))
    expect(ClientConfig.presetNamed("aws-js-pre-2026")).toEqual(Option.some(Presets.awsJsPre2026))
    expect(ClientConfig.presetNamed("nope")).toEqual(Option.none())
  })
})

/** Service options pointing DynamoDB at the lab. */
const reach = (lab: Lab.Lab) => {
  const { credentials, endpoint, region } = lab.clientConfig.dynamodb
  return { region, endpoint, credentials }
}

/**
 * One GetItem through a DynamoDB layer built from `options` in the environment `vars`, against a table whose every
 * GetItem fails with a 503: the attempts the lab saw, and the policy that gave up.
 */
const attemptsUnder = (
  options: DynamoDB.Options,
  vars: Record<string, string>,
  around: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = (self) => self
) =>
  Effect.gen(function*() {
    const lab = yield* Lab.Lab
    yield* lab.clear
    yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.serverError(503), times: Infinity })
    const error = yield* Effect.gen(function*() {
      const ddb = yield* DynamoDB.DynamoDB
      return yield* Effect.flip(ddb.send(new GetItemCommand({ TableName: "settings", Key: { pk: { S: "x" } } })))
    }).pipe(
      around,
      Effect.provide(DynamoDB.layer({ ...reach(lab), ...options })),
      environment(vars),
      // A fresh breaker and quota for every case.
      Effect.provide(StateStore.layerMemory)
    )
    const sent = (yield* lab.log).filter((e) => e.operation === "GetItem").length
    yield* lab.clear
    return { sent, policy: (error as CallError.CallError).retries?.policy, attempts: error.retries?.attempts }
  })

/** Millisecond curves, so a case with a context policy runs fast. */
const quick = RetryPolicy.make({ name: "quick", maxAttempts: 3, base: "1 millis", cap: "5 millis" })

layer(Lab.layer({ tables: ["settings"] }), { excludeTestServices: true })("AWS retry settings on a service", (it) => {
  it.effect("AWS_MAX_ATTEMPTS=1 on a layer built without a policy: one attempt, not the default three", () =>
    Effect.gen(function*() {
      const result = yield* attemptsUnder({}, { AWS_MAX_ATTEMPTS: "1" })
      expect(result).toMatchObject({ sent: 1, attempts: 1, policy: "rebound/max-attempts-1" })
    }))

  it.effect("AWS_RETRY_MODE picks the JavaScript SDK's preset for the service", () =>
    Effect.gen(function*() {
      expect(yield* attemptsUnder({}, { AWS_RETRY_MODE: "standard" }))
        .toMatchObject({ sent: 4, policy: "aws-js-2026-dynamodb" })
      expect(yield* attemptsUnder({}, { AWS_RETRY_MODE: "legacy" }))
        .toMatchObject({ sent: 4, policy: "aws-js-2026-dynamodb" })
      expect(yield* attemptsUnder({}, { AWS_RETRY_MODE: "adaptive", AWS_MAX_ATTEMPTS: "2" }))
        .toMatchObject({ sent: 2, policy: "aws-js-2026-adaptive-dynamodb/max-attempts-2" })
    }))

  it.effect("the shared config file: max_attempts and retry_mode of the profile in AWS_PROFILE", () =>
    Effect.gen(function*() {
      const file = configFile(
        "[default]\nmax_attempts = 2\n\n[profile batch]\nretry_mode = standard\nmax_attempts = 3\n"
      )
      expect(yield* attemptsUnder({}, { AWS_CONFIG_FILE: file })).toMatchObject({ sent: 2 })
      expect(yield* attemptsUnder({}, { AWS_CONFIG_FILE: file, AWS_PROFILE: "batch" }))
        .toMatchObject({ sent: 3, policy: "aws-js-2026-dynamodb/max-attempts-3" })
      // The SDK client's own `profile` setting chooses the profile too.
      expect(yield* attemptsUnder({ sdk: { profile: "batch" } }, { AWS_CONFIG_FILE: file }))
        .toMatchObject({ sent: 3 })
    }))

  it.effect("precedence: option, then environment, then config file, then the policy in context", () =>
    Effect.gen(function*() {
      const file = configFile("[default]\nmax_attempts = 4\n")
      const inContext = RetryPolicy.withPolicy(quick)
      expect(yield* attemptsUnder({ maxAttempts: 2 }, { AWS_MAX_ATTEMPTS: "3", AWS_CONFIG_FILE: file }, inContext))
        .toMatchObject({ sent: 2, policy: "quick/max-attempts-2" })
      expect(yield* attemptsUnder({}, { AWS_MAX_ATTEMPTS: "3", AWS_CONFIG_FILE: file }, inContext))
        .toMatchObject({ sent: 3, policy: "quick" })
      expect(yield* attemptsUnder({}, { AWS_CONFIG_FILE: file }, inContext))
        .toMatchObject({ sent: 4, policy: "quick/max-attempts-4" })
      expect(yield* attemptsUnder({}, {}, inContext)).toMatchObject({ sent: 3, policy: "quick" })
      // The retry mode follows the same order: the option beats the environment.
      expect(yield* attemptsUnder({ retryMode: "adaptive" }, { AWS_RETRY_MODE: "standard" }))
        .toMatchObject({ policy: "aws-js-2026-adaptive-dynamodb" })
    }))

  it.effect("an explicit policy is used as it is: the AWS settings are not read, as with the SDK's retryStrategy", () =>
    Effect.gen(function*() {
      const file = configFile("[default]\nmax_attempts = not-a-number\n")
      expect(
        yield* attemptsUnder({ policy: quick }, {
          AWS_MAX_ATTEMPTS: "1",
          AWS_RETRY_MODE: "adaptive",
          AWS_CONFIG_FILE: file
        })
      ).toMatchObject({ sent: 3, policy: "quick" })
      expect(yield* attemptsUnder({ policy: quick, maxAttempts: 2 }, {})).toMatchObject({ sent: 2 })
    }))

  it.effect("ClientConfig.config and layerConfig: AWS_MAX_ATTEMPTS and REBOUND_RETRY_POLICY reach the service", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      const { credentials, endpoint } = lab.clientConfig.dynamodb
      const vars = {
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_MAX_ATTEMPTS: "2",
        REBOUND_RETRY_POLICY: "awsJs2026DynamoDB"
      }
      yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.serverError(503), times: Infinity })
      const error = yield* Effect.gen(function*() {
        const ddb = yield* DynamoDB.DynamoDB
        return yield* Effect.flip(ddb.send(new GetItemCommand({ TableName: "settings", Key: { pk: { S: "x" } } })))
      }).pipe(
        Effect.provide(DynamoDB.layerConfig(ClientConfig.config("DynamoDB"))),
        environment(vars),
        Effect.provide(StateStore.layerMemory)
      )
      expect(error._tag).toBe("TransientError")
      expect((error as CallError.CallError).retries).toMatchObject({
        attempts: 2,
        policy: "aws-js-2026-dynamodb/max-attempts-2"
      })
      expect((yield* lab.log).filter((e) => e.operation === "GetItem")).toHaveLength(2)
      yield* lab.clear
    }))

  it.effect("a service's attemptTimeout may be written as the documentation shows it (\"50ms\")", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.Lab
      yield* lab.clear
      yield* lab.push({ service: "dynamodb", operation: "GetItem", fault: Fault.stall, times: 1 })
      const error = yield* Effect.gen(function*() {
        const ddb = yield* DynamoDB.DynamoDB
        return yield* Effect.flip(ddb.send(new GetItemCommand({ TableName: "settings", Key: { pk: { S: "x" } } })))
      }).pipe(
        Effect.provide(DynamoDB.layer({ ...reach(lab), policy: Presets.none, attemptTimeout: "50ms" as never })),
        environment({})
      )
      expect(error).toMatchObject({ _tag: "TransientError", code: "AttemptTimeout" })
      yield* lab.clear
    }))
})

/** Builds a layer and returns how it failed, if it did. */
const buildError = <ROut, E>(live: Layer.Layer<ROut, E>, vars: Record<string, string> = {}) =>
  Effect.flip(Effect.provide(Effect.void, live)).pipe(environment(vars))

describe("service options are validated when the layer is built", () => {
  const reachable = {
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "a", secretAccessKey: "b" }
  }

  it.effect("a bad attemptTimeout fails with an InvalidOptionError naming the field, for every service", () =>
    Effect.gen(function*() {
      for (const value of [-1, 0, NaN, "banana", "-1 seconds"] as unknown as ReadonlyArray<never>) {
        for (
          const [name, build] of [
            ["DynamoDB", buildError(DynamoDB.layer({ ...reachable, attemptTimeout: value }))],
            ["S3", buildError(S3.layer({ ...reachable, attemptTimeout: value }))],
            ["Lambda", buildError(Lambda.layer({ ...reachable, attemptTimeout: value }))]
          ] as const
        ) {
          const error = yield* build
          expect(error, `${name} ${String(value)}`).toMatchObject({
            _tag: "InvalidOptionError",
            constructorName: `${name}.layer`,
            field: "attemptTimeout"
          })
        }
      }
    }))

  it.effect("every other option is checked too, and the message says what was expected", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [DynamoDB.Options, string]> = [
        [{ region: "us east 1" }, "region"],
        [{ endpoint: "localhost:8000" }, "endpoint"],
        [{ connectionTimeout: Infinity }, "connectionTimeout"],
        [{ maxAttempts: 0 }, "maxAttempts"],
        [{ retryMode: "fast" as never }, "retryMode"],
        [{ retryMode: "standard", policy: Presets.awsJs2026 }, "retryMode"],
        [{ policy: { name: "not a policy" } as never }, "policy"],
        [{ operations: { GetItem: { attemptTimeout: -5 } } }, "operations.GetItem.attemptTimeout"],
        [{ operations: { getItem: {} } }, "operations.getItem"],
        [{ operations: { GetItem: { idempotent: "yes" as never } } }, "operations.GetItem.idempotent"],
        [{ rules: { codes: { Oops: "sometimes" as never } } }, "rules.codes.Oops"],
        [{ sdk: { maxAttempts: 5 } as never }, "sdk.maxAttempts"],
        [{ attemptTimout: "5 seconds" } as never, "attemptTimout"]
      ]
      for (const [options, field] of cases) {
        const error = yield* buildError(DynamoDB.layer({ ...reachable, ...options }))
        expect(error, field).toMatchObject({ _tag: "InvalidOptionError", field })
        expect((error as Error).message).toContain(`"${field}" must be`)
      }
    }))

  it.effect("a bad secret is refused without being repeated", () =>
    Effect.gen(function*() {
      const error = yield* buildError(
        DynamoDB.layer({ ...reachable, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: 12345 as never } })
      )
      expect(error).toMatchObject({ field: "credentials.secretAccessKey", value: "number" })
      expect(JSON.stringify(error) + (error as Error).message).not.toContain("12345")
    }))

  it.effect("bad AWS settings in the environment or the config file are named with where they came from", () =>
    Effect.gen(function*() {
      const env = yield* buildError(DynamoDB.layer(reachable), { AWS_MAX_ATTEMPTS: "three" })
      expect(env).toMatchObject({ field: "AWS_MAX_ATTEMPTS (environment variable)", value: "\"three\"" })
      const file = configFile("[profile ops]\nretry_mode = turbo\n")
      const fromFile = yield* buildError(DynamoDB.layer(reachable), { AWS_CONFIG_FILE: file, AWS_PROFILE: "ops" })
      expect(fromFile).toMatchObject({ field: `retry_mode (profile ops in ${file})` })
    }))
})

describe("ClientConfig.owned", () => {
  it("throws an InvalidOptionError naming a bad option, as RetryPolicy.make does", () => {
    expect(() => ClientConfig.owned({ connectionTimeout: Number.NaN })).toThrow(
      expect.objectContaining({ _tag: "InvalidOptionError", field: "connectionTimeout" })
    )
    expect(() => ClientConfig.owned({ endpoint: "localhost:8000" })).toThrow(
      expect.objectContaining({ field: "endpoint" })
    )
    expect(ClientConfig.owned({ region: "eu-west-1", connectionTimeout: "2s" as never })).toMatchObject({
      maxAttempts: 1,
      region: "eu-west-1",
      requestHandler: { connectionTimeout: 2000 }
    })
  })
})
