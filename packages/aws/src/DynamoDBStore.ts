/**
 * A fleet store on a DynamoDB table: rebound's retry quotas, budgets, adaptive limiters and circuit breakers shared
 * by every process of a fleet, with nothing to run but a table — for teams on AWS without a Redis.
 *
 * The table needs a string hash key named `pk` (on-demand billing suits it; enable TTL on `expiresAt` so records
 * nobody writes leave it). Each shared key is one item: `v` (its version), `r` (the record, JSON), `expiresAt`. A sync
 * reads the item (strongly consistent) and writes it back with a conditional `PutItem` on the version — the condition
 * knows versions, never guards: every guard rule stays in core. Each sync that changes something costs one read and
 * one write request unit; a sync that changes nothing (a breaker nobody moved) only the read.
 *
 * Time: DynamoDB has no clock to read, so the fleet's time is the clock of whichever process writes; keep the
 * fleet's clocks NTP-synced (a skew of s moves a breaker's reopening or a budget's window by up to s). Redis
 * (`@rebound/redis`) uses the server's clock instead.
 *
 * Calls never wait for the table: see `FleetStore` for the leases, the staleness, and what happens while it is
 * unreachable or throttled.
 *
 * @since 0.1.0
 */
import type { DynamoDBClient, DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import type { FleetStore } from "@rebound/core"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/dynamodbStore.js"

/**
 * Where the fleet's guard state lives in DynamoDB: the table, and the settings of the SDK client that reaches it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The table (string hash key `pk`). */
  readonly table: string
  /** Settings for the client the store makes (region, endpoint, credentials). It sends one attempt, 1 s timeouts. */
  readonly sdk?: Omit<DynamoDBClientConfig, "maxAttempts" | "retryStrategy" | "retryMode"> | undefined
  /** A client of your own instead; the store leaves it open at the end. */
  readonly client?: DynamoDBClient | undefined
  /** Prefix of every key the store writes. Default `rebound:`. */
  readonly prefix?: string | undefined
  /** `expiresAt` is set this far ahead at each write. Default 1 hour. */
  readonly ttl?: Duration.DurationInput | undefined
  /** Conditional-write conflicts in a row before a sync gives up (and retries at the next interval). Default 16. */
  readonly maxConflicts?: number | undefined
  /** The engine's name in events. Default `dynamodb:<table>`. */
  readonly name?: string | undefined
}

/**
 * What an engine has sent, for measuring its cost.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  readonly counters: {
    /** DynamoDB requests sent (GetItem and PutItem). */
    readonly requests: number
    /** Conditional writes that lost to another writer. */
    readonly conflicts: number
  }
}

/**
 * The DynamoDB engine, its client destroyed with the scope.
 *
 * @example
 * ```ts
 * import * as DynamoDBStore from "@rebound/aws/DynamoDBStore"
 * import { FleetStore } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const store = Effect.flatMap(DynamoDBStore.engine({ table: "rebound-guards", sdk: { region: "eu-west-1" } }), (e) =>
 *   FleetStore.make(e, { syncInterval: "1 second" }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const engine: (options: Options) => Effect.Effect<FleetStore.Engine & Counters, never, Scope.Scope> =
  internal.engine

/**
 * A layer providing the fleet store on DynamoDB as the `StateStore`.
 *
 * @example
 * ```ts
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 * import * as DynamoDBStore from "@rebound/aws/DynamoDBStore"
 * import { Layer } from "effect"
 *
 * const orders = DynamoDB.layer({ region: "eu-west-1", guardScope: "orders-fleet" }).pipe(
 *   Layer.provide(DynamoDBStore.layer({ table: "rebound-guards", sdk: { region: "eu-west-1" } }, {
 *     syncInterval: "1 second"
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: Options, fleet?: FleetStore.Options) => Layer.Layer<never> = internal.layer
