/**
 * DynamoDB as an Effect service: every operation fails with `ThrottlingError | TransientError | FatalError` and
 * retries under rebound's policies, plus batch operations that finish the job and paginated reads as `Stream`s.
 *
 * - `batchWriteAll` / `batchGetAll` send full batches of 25 writes / 100 keys, pool the `UnprocessedItems` /
 *   `UnprocessedKeys` DynamoDB hands back from every batch and resend them in full batches, with backoff, until done
 *   or the time budget ends (default one minute, as DynamoDB's guide advises). Work left undone is a failure: a
 *   {@link BatchWriteError} / {@link BatchGetError} in the error channel carrying every request not done (still
 *   unprocessed, or held by a call that failed for good, such as a missing table), so the type makes the caller
 *   decide; nothing is dropped silently. (No SDK does this; `lib-dynamodb`'s batch helpers resend unprocessed keys at
 *   once, without backoff.)
 * - Each request is in at most one request in flight at a time and is accounted for exactly once (done, unprocessed
 *   or failed). As in `BatchWriteItem` itself, requests are applied in no particular order — batches run concurrently
 *   and leftovers are resent later — and one call must not write the same item twice (DynamoDB rejects a batch that
 *   does); write such items with `PutItem` / `UpdateItem`, or in successive calls.
 * - `query` / `scan` stream every item, page by page, each page a retried call.
 *
 * The client is created when the layer is built and destroyed when it closes. Default per-attempt timeout: 10 s.
 *
 * @since 0.1.0
 */
import {
  type AttributeValue,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type KeysAndAttributes,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type WriteRequest
} from "@aws-sdk/client-dynamodb"
import type { Backoff, CallError, InvalidOption } from "@rebound/core"
import type { CommandIO } from "@smithy/types"
import * as Chunk from "effect/Chunk"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as AwsAsync from "./AwsAsync.js"
import * as AwsCall from "./AwsCall.js"
import type * as ClientConfig from "./ClientConfig.js"
import * as batch from "./internal/dynamodbBatch.js"
import { validateBatch } from "./internal/options.js"
import * as service from "./internal/service.js"

type Item = Record<string, AttributeValue>

/**
 * Options of the batch operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions {
  /** Chunks in flight at once. Default 4. */
  readonly concurrency?: number | undefined
  /** Stop resubmitting unprocessed items after this long. Default 1 minute. */
  readonly maxElapsed?: Duration.DurationInput | undefined
  /** Backoff between resubmissions. Default full jitter from 50 ms, capped at 5 s. */
  readonly backoff?: Backoff.Backoff | undefined
  /** Options of each underlying call (its policy, timeout …). */
  readonly send?: AwsCall.SendOptions | undefined
}

/**
 * Requests a batch held when its call failed for good, with the failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchFailure<A> {
  readonly requests: Readonly<Record<string, ReadonlyArray<A>>>
  readonly error: CallError.CallError
}

/**
 * The outcome of a `batchWriteAll` that wrote every request.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchWriteResult {
  /** Requests DynamoDB processed: all of them. */
  readonly written: number
  /** Resubmission rounds needed for what DynamoDB handed back. */
  readonly rounds: number
  /** `BatchWriteItem` calls made (each retried under its policy, counted once). */
  readonly calls: number
}

/**
 * The outcome of a `batchGetAll` that read every key.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchGetResult {
  /** Items found, by table (keys with no item are simply absent, as in DynamoDB). */
  readonly items: Readonly<Record<string, ReadonlyArray<Item>>>
  readonly rounds: number
  /** `BatchGetItem` calls made. */
  readonly calls: number
}

const hide = (error: object, ...fields: ReadonlyArray<string>) => {
  for (const field of fields) {
    const value: unknown = (error as Record<string, unknown>)[field]
    Object.defineProperty(error, field, { value, enumerable: false, writable: false })
  }
}

const countOf = (byTable: Readonly<Record<string, ReadonlyArray<unknown>>>) =>
  Object.values(byTable).reduce((n, xs) => n + xs.length, 0)

const incomplete = (
  what: string,
  done: string,
  unprocessed: number,
  failed: ReadonlyArray<BatchFailure<unknown>>
) => {
  const failedCount = failed.reduce((n, f) => n + countOf(f.requests), 0)
  const codes = [...new Set(failed.map((f) => f.error.code))]
  return `DynamoDB.${what} did not finish: ${done}; ${unprocessed} still unprocessed when the time budget ended, ` +
    `${failedCount} in calls that failed${codes.length > 0 ? ` (${codes.join(", ")})` : ""}. ` +
    "`unprocessed` and `failed` hold every one of them."
}

/**
 * `batchWriteAll` could not write every request: some were still handed back unprocessed when the time budget ended,
 * or their call failed for good (a missing table, access denied, a throttle that outlasted the policy). Carries every
 * request not written — `written` + `unprocessed` + `failed` = every request given — so the caller decides. The
 * requests are payloads: they are left out of the message, `toJSON` and `util.inspect`; read the fields.
 *
 * @example
 * ```ts
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const ddb = yield* DynamoDB.DynamoDB
 *   return yield* ddb.batchWriteAll({ orders: [{ PutRequest: { Item: { pk: { S: "o-1" } } } }] })
 * }).pipe(
 *   Effect.catchTag("BatchWriteError", (e) =>
 *     Effect.logError(`${e.message}`).pipe(Effect.as({ written: e.written, rounds: e.rounds, calls: e.calls })))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BatchWriteError extends Data.TaggedError("BatchWriteError")<{
  /** Requests DynamoDB processed. */
  readonly written: number
  /** Requests DynamoDB still handed back when the time budget ended, by table. */
  readonly unprocessed: Readonly<Record<string, ReadonlyArray<WriteRequest>>>
  /** Requests whose call failed for good, with the failure. */
  readonly failed: ReadonlyArray<BatchFailure<WriteRequest>>
  readonly rounds: number
  readonly calls: number
}> {
  constructor(args: {
    readonly written: number
    readonly unprocessed: Readonly<Record<string, ReadonlyArray<WriteRequest>>>
    readonly failed: ReadonlyArray<BatchFailure<WriteRequest>>
    readonly rounds: number
    readonly calls: number
  }) {
    super(args)
    hide(this, "unprocessed", "failed")
  }
  /**
   * How many requests were written and how many are left, never the requests themselves.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return incomplete(
      "batchWriteAll",
      `${this.written} requests written`,
      countOf(this.unprocessed),
      this.failed
    )
  }
  /**
   * The counts and failures, without the payloads.
   *
   * @since 0.1.0
   */
  override toJSON(): unknown {
    return {
      _tag: this._tag,
      written: this.written,
      unprocessed: countOf(this.unprocessed),
      failed: this.failed.map((f) => ({ requests: countOf(f.requests), error: f.error.toJSON() })),
      rounds: this.rounds,
      calls: this.calls
    }
  }
}

/**
 * `batchGetAll` could not read every key. Carries the items it did read and every key it did not: still unprocessed
 * when the time budget ended (with each table's projection settings, ready to resubmit) or held by a call that failed
 * for good. Items and keys are payloads: they are left out of the message, `toJSON` and `util.inspect`.
 *
 * @example
 * ```ts
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const ddb = yield* DynamoDB.DynamoDB
 *   return yield* ddb.batchGetAll({ orders: { Keys: [{ pk: { S: "o-1" } }] } })
 * }).pipe(
 *   // Settle for what was read; the keys left are in `e.unprocessed` and `e.failed`.
 *   Effect.catchTag("BatchGetError", (e) => Effect.succeed({ items: e.items, rounds: e.rounds, calls: e.calls }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BatchGetError extends Data.TaggedError("BatchGetError")<{
  /** Items found, by table. */
  readonly items: Readonly<Record<string, ReadonlyArray<Item>>>
  /** Keys DynamoDB still handed back when the time budget ended. */
  readonly unprocessed: Readonly<Record<string, KeysAndAttributes>>
  /** Keys whose call failed for good, with the failure. */
  readonly failed: ReadonlyArray<BatchFailure<Item>>
  readonly rounds: number
  readonly calls: number
}> {
  constructor(args: {
    readonly items: Readonly<Record<string, ReadonlyArray<Item>>>
    readonly unprocessed: Readonly<Record<string, KeysAndAttributes>>
    readonly failed: ReadonlyArray<BatchFailure<Item>>
    readonly rounds: number
    readonly calls: number
  }) {
    super(args)
    hide(this, "items", "unprocessed", "failed")
  }
  /**
   * How many requests were written and how many are left, never the requests themselves.
   *
   * @since 0.1.0
   */
  override get message(): string {
    return incomplete(
      "batchGetAll",
      `${countOf(this.items)} items read`,
      Object.values(this.unprocessed).reduce((n, spec) => n + (spec.Keys?.length ?? 0), 0),
      this.failed
    )
  }
  /**
   * The counts and failures, without the payloads.
   *
   * @since 0.1.0
   */
  override toJSON(): unknown {
    return {
      _tag: this._tag,
      items: countOf(this.items),
      unprocessed: Object.values(this.unprocessed).reduce((n, spec) => n + (spec.Keys?.length ?? 0), 0),
      failed: this.failed.map((f) => ({ requests: countOf(f.requests), error: f.error.toJSON() })),
      rounds: this.rounds,
      calls: this.calls
    }
  }
}

/**
 * The DynamoDB service: every command, batches that finish the job, and paginated queries and scans as streams.
 *
 * @since 0.1.0
 * @category models
 */
export interface DynamoDBService {
  readonly client: DynamoDBClient
  /**
   * The scope that owns this client's guard state (quota, budget, limiter, breaker): pass it as `scope` to
   * `RetryQuota.current`, `AdaptiveLimiter.current`, `CircuitBreaker.current` to read it.
   */
  readonly guardScope: string
  /** Any DynamoDB command, typed by its input and output. */
  readonly send: <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: CommandIO<I, O>,
    options?: AwsCall.SendOptions
  ) => Effect.Effect<O, CallError.CallError>
  /**
   * Writes every request, resubmitting unprocessed items with backoff; fails with a {@link BatchWriteError} holding
   * every request not written.
   */
  readonly batchWriteAll: (
    requestItems: Readonly<Record<string, ReadonlyArray<WriteRequest>>>,
    options?: BatchOptions
  ) => Effect.Effect<BatchWriteResult, BatchWriteError | InvalidOption.InvalidOptionError>
  /** Reads every key, resubmitting unprocessed keys with backoff; fails with a {@link BatchGetError} otherwise. */
  readonly batchGetAll: (
    requestItems: Readonly<Record<string, KeysAndAttributes>>,
    options?: BatchOptions
  ) => Effect.Effect<BatchGetResult, BatchGetError | InvalidOption.InvalidOptionError>
  /** Every item a query matches, page by page. */
  readonly query: (input: QueryCommandInput, options?: AwsCall.SendOptions) => Stream.Stream<Item, CallError.CallError>
  /** Every item of a scan, page by page. */
  readonly scan: (input: ScanCommandInput, options?: AwsCall.SendOptions) => Stream.Stream<Item, CallError.CallError>
}

/**
 * The tag of the DynamoDB service.
 *
 * @since 0.1.0
 * @category tags
 */
export class DynamoDB extends Context.Tag("@rebound/aws/DynamoDB")<DynamoDB, DynamoDBService>() {}

/**
 * Options of the DynamoDB service: connection, policies, timeouts, rules and extra `DynamoDBClient` settings.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = ClientConfig.ServiceOptions<
  Omit<DynamoDBClientConfig, "maxAttempts" | "retryMode" | "retryStrategy">
>

const pages = <In extends { ExclusiveStartKey?: Item | undefined }>(
  fetch: (input: In) => Effect.Effect<
    { readonly Items?: ReadonlyArray<Item> | undefined; readonly LastEvaluatedKey?: Item | undefined },
    CallError.CallError
  >,
  input: In
): Stream.Stream<Item, CallError.CallError> =>
  Stream.paginateChunkEffect(input.ExclusiveStartKey, (start) =>
    Effect.map(
      fetch({ ...input, ExclusiveStartKey: start }),
      (page) => [Chunk.fromIterable(page.Items ?? []), Option.fromNullable(page.LastEvaluatedKey)] as const
    ))

/**
 * Builds the service; the client lives as long as the scope. Every option is checked first: a bad one fails with an
 * `InvalidOptionError` naming it (as do bad values of `AWS_RETRY_MODE`, `AWS_MAX_ATTEMPTS` or the shared config file).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<DynamoDBService, InvalidOption.InvalidOptionError, Scope.Scope> =>
  Effect.map(
    service.make("DynamoDB", (config) => new DynamoDBClient(config), options, "10 seconds"),
    (svc): DynamoDBService => ({
      client: svc.sdkClient,
      guardScope: svc.scope,
      send: (command, callOptions) => svc.within(AwsCall.send(svc, command, callOptions)),
      batchWriteAll: (requestItems, batchOptions) =>
        Effect.flatMap(
          validateBatch("DynamoDB.batchWriteAll", batchOptions),
          (checked) => svc.within(batch.batchWriteAll(svc, requestItems, checked))
        ),
      batchGetAll: (requestItems, batchOptions) =>
        Effect.flatMap(
          validateBatch("DynamoDB.batchGetAll", batchOptions),
          (checked) => svc.within(batch.batchGetAll(svc, requestItems, checked))
        ),
      query: (input, callOptions) =>
        pages((i) => svc.within(AwsCall.send(svc, new QueryCommand(i), callOptions)), input),
      scan: (input, callOptions) => pages((i) => svc.within(AwsCall.send(svc, new ScanCommand(i), callOptions)), input)
    })
  )

/**
 * A layer with static options.
 *
 * @example
 * ```ts
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 * import { PutItemCommand } from "@aws-sdk/client-dynamodb"
 * import { Presets } from "@rebound/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const ddb = yield* DynamoDB.DynamoDB
 *   yield* ddb.send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: "o-1" } } }))
 *   yield* ddb.batchWriteAll({
 *     orders: [{ PutRequest: { Item: { pk: { S: "o-2" } } } }, { PutRequest: { Item: { pk: { S: "o-3" } } } }]
 *   }).pipe(
 *     // The type says the batch may not finish: decide what happens to what is left.
 *     Effect.catchTag("BatchWriteError", (e) => Effect.logWarning(e.message).pipe(Effect.zipRight(Effect.fail(e))))
 *   )
 * })
 *
 * const runnable = program.pipe(
 *   Effect.provide(DynamoDB.layer({ region: "eu-west-1", policy: Presets.awsJs2026DynamoDB }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<DynamoDB, InvalidOption.InvalidOptionError> =>
  Layer.scoped(DynamoDB, make(options))

/**
 * A layer whose options are read with `effect/Config` (see `ClientConfig.config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options>
): Layer.Layer<DynamoDB, ConfigError.ConfigError | InvalidOption.InvalidOptionError> =>
  Layer.scoped(DynamoDB, Effect.flatMap(config, make))

/**
 * DynamoDB for Promise-based code: the service's operations on an {@link AwsAsync.AwsRuntime}, each a Promise that
 * resolves with the result or rejects with the typed failure.
 *
 * @since 0.1.0
 * @category models
 */
export interface DynamoDBAsync {
  readonly client: DynamoDBClient
  /** Any DynamoDB command, typed by its input and output. */
  readonly send: <I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    command: CommandIO<I, O>,
    options?: AwsAsync.CallOptions
  ) => Promise<O>
  /** Writes every request, resubmitting unprocessed items with backoff; rejects only on bad input. */
  readonly batchWriteAll: (
    requestItems: Readonly<Record<string, ReadonlyArray<WriteRequest>>>,
    options?: BatchOptions & AwsAsync.RunOptions
  ) => Promise<BatchWriteResult>
  /** Reads every key, resubmitting unprocessed keys with backoff; rejects only on bad input. */
  readonly batchGetAll: (
    requestItems: Readonly<Record<string, KeysAndAttributes>>,
    options?: BatchOptions & AwsAsync.RunOptions
  ) => Promise<BatchGetResult>
  /** Every item a query matches, page by page as you iterate (`for await`); leaving the loop stops it. */
  readonly query: (input: QueryCommandInput, options?: AwsCall.SendOptions) => AsyncIterable<Item>
  /** Every item of a scan, page by page as you iterate. */
  readonly scan: (input: ScanCommandInput, options?: AwsCall.SendOptions) => AsyncIterable<Item>
}

/**
 * The async face of the DynamoDB service in a runtime built by `AwsAsync.make`.
 *
 * @example
 * ```ts
 * import { AwsAsync } from "@rebound/aws"
 * import * as DynamoDB from "@rebound/aws/DynamoDB"
 *
 * export const writeAndQuery = async () => {
 *   const aws = await AwsAsync.make(DynamoDB.layer({ region: "eu-west-1" }))
 *   const ddb = DynamoDB.async(aws)
 *   try {
 *     const result = await ddb.batchWriteAll({ orders: [{ PutRequest: { Item: { pk: { S: "o-1" } } } }] })
 *     console.log(`written: ${result.written} in ${result.calls} calls`)
 *   } catch (error) {
 *     // A BatchWriteError carries every request not written: nothing is dropped silently.
 *     if (error instanceof DynamoDB.BatchWriteError) console.log("left for later:", error.unprocessed)
 *   }
 *   for await (const item of ddb.query({ TableName: "orders", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "o-1" } } })) {
 *     console.log(item)
 *   }
 *   await aws.dispose()
 * }
 * ```
 *
 * @since 0.1.0
 * @category async
 */
export const async = (runtime: AwsAsync.AwsRuntime<DynamoDB>): DynamoDBAsync => {
  const ddb = Context.get(runtime.runtime.context, DynamoDB)
  return {
    client: ddb.client,
    send: (command, { signal, ...options } = {}) => runtime.run(ddb.send(command, options), { signal }),
    batchWriteAll: (requestItems, { signal, ...options } = {}) =>
      runtime.run(ddb.batchWriteAll(requestItems, options), { signal }),
    batchGetAll: (requestItems, { signal, ...options } = {}) =>
      runtime.run(ddb.batchGetAll(requestItems, options), { signal }),
    query: (input, options) => runtime.iterate(ddb.query(input, options)),
    scan: (input, options) => runtime.iterate(ddb.scan(input, options))
  }
}
