import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand
} from "@aws-sdk/client-dynamodb"
import { FleetStore } from "@rebound/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import type * as Scope from "effect/Scope"
import type * as DynamoDBStore from "../DynamoDBStore.js"

/** An error's name or network code, never its message. */
const reasonOf = (error: unknown): string => {
  const e = error as { readonly name?: unknown; readonly code?: unknown }
  if (e.code === "ECONNREFUSED" || e.code === "ECONNRESET" || e.code === "EPIPE") return "unreachable"
  if (e.name === "TimeoutError" || e.code === "ETIMEDOUT") return "timeout"
  return typeof e.name === "string" ? e.name : "unknown"
}

/** @internal */
export const engine = (
  options: DynamoDBStore.Options
): Effect.Effect<FleetStore.Engine & DynamoDBStore.Counters, never, Scope.Scope> =>
  Effect.gen(function*() {
    const table = options.table
    const prefix = options.prefix ?? "rebound:"
    const ttlSeconds = Math.ceil(Duration.toSeconds(Duration.decode(options.ttl ?? "1 hour")))
    const maxConflicts = options.maxConflicts ?? 16
    const name = options.name ?? `dynamodb:${table}`
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        options.client ?? new DynamoDBClient({
          ...options.sdk,
          // The store bounds every sync itself and never retries inside the SDK: a slow table means local state.
          maxAttempts: 1,
          requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_000, throwOnRequestTimeout: true }
        } as DynamoDBClientConfig)
      ),
      (c) => (options.client === undefined ? Effect.sync(() => c.destroy()) : Effect.void)
    )
    const counters = { requests: 0, conflicts: 0 }
    const send = <A>(run: (signal: AbortSignal) => Promise<A>) =>
      Effect.tryPromise({
        try: (signal) => {
          counters.requests++
          return run(signal)
        },
        catch: (error) => error
      })
    const failed = (reason: string) => new FleetStore.EngineError({ engine: name, reason })
    const update: FleetStore.Engine["update"] = (key, f) => {
      const pk: AttributeValue = { S: prefix + key }
      const attempt = (
        n: number
      ): Effect.Effect<{ readonly value: never; readonly nowMillis: number }, FleetStore.EngineError> =>
        Effect.gen(function*() {
          const got = yield* send((abortSignal) =>
            client.send(
              new GetItemCommand({ TableName: table, Key: { pk }, ConsistentRead: true }),
              { abortSignal }
            )
          ).pipe(Effect.mapError((e) => failed(reasonOf(e))))
          const version = Number(got.Item?.v?.N ?? "0")
          const record = got.Item?.r?.S === undefined ? undefined : JSON.parse(got.Item.r.S)
          // DynamoDB has no clock to read: the writers' clocks are the fleet's (keep them NTP-synced).
          const nowMillis = yield* Clock.currentTimeMillis
          const [next, value] = f(record, nowMillis)
          const done = { value: value as never, nowMillis }
          if (next === undefined) return done
          const written = yield* send((abortSignal) =>
            client.send(
              new PutItemCommand({
                TableName: table,
                Item: {
                  pk,
                  v: { N: String(version + 1) },
                  r: { S: JSON.stringify(next) },
                  expiresAt: { N: String(Math.floor(nowMillis / 1000) + ttlSeconds) }
                },
                // Compare-and-set on the version: the condition knows versions, never guards.
                ConditionExpression: version === 0 ? "attribute_not_exists(pk)" : "v = :v",
                ...(version === 0 ? {} : { ExpressionAttributeValues: { ":v": { N: String(version) } } })
              }),
              { abortSignal }
            )
          ).pipe(
            Effect.as(true),
            Effect.catchAll((e) =>
              reasonOf(e) === "ConditionalCheckFailedException"
                ? Effect.succeed(false)
                : Effect.fail(failed(reasonOf(e)))
            )
          )
          if (written) return done
          counters.conflicts++
          if (n + 1 >= maxConflicts) return yield* Effect.fail(failed("conflict"))
          const pause = yield* Random.nextIntBetween(0, Math.min(n + 2, 10))
          yield* Effect.sleep(Duration.millis(pause))
          return yield* attempt(n + 1)
        })
      return attempt(0)
    }
    return { name, update, counters } as FleetStore.Engine & DynamoDBStore.Counters
  })

/** @internal */
export const layer = (options: DynamoDBStore.Options, fleet?: FleetStore.Options): Layer.Layer<never> =>
  FleetStore.layer(engine(options), fleet)
