/**
 * The call shell: every command of every AWS SDK v3 client as an `Effect` that fails with `ThrottlingError |
 * TransientError | FatalError` and retries under rebound's policies — without code generation.
 *
 * For each call: idempotency tokens are pinned before the first attempt; the policy is the call's, else the
 * operation's, else the service's, else the one in context (`RetryPolicy.CurrentRetryPolicy`, default
 * `Presets.rebound`); each attempt gets an `AbortSignal` tied to fiber interruption and a timeout (the SDK has none by
 * default) that aborts the request and fails with an ambiguous `TransientError`; ambiguous failures are retried only
 * for idempotent operations (see `Idempotency`); a body that can be read only once is sent once.
 *
 * A policy with `hedging` (`RetryPolicy.withHedging`) hedges slow attempts of idempotent operations — the same table
 * decides — sending hedges through the service's `hedgeClient` when it has one (S3 services do: a fresh connection);
 * a losing response's body stream is destroyed.
 *
 * Clients must be built with the SDK's retries off (`ClientConfig.owned` does it), so attempts never multiply. A
 * successful output's `$metadata.attempts` and `$metadata.totalRetryDelay` say what rebound did (attempts, and the
 * milliseconds slept between them), as the SDK's own retry middleware reports them.
 *
 * @since 0.1.0
 */
import type { CallError, RetryPolicy } from "@rebound/core"
import type { CommandIO, MetadataBearer } from "@smithy/types"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as AwsError from "./AwsError.js"
import * as call from "./internal/call.js"
import * as internal from "./internal/send.js"

/**
 * Any SDK v3 client.
 *
 * @since 0.1.0
 * @category models
 */
export interface SdkClient {
  readonly send: (command: never, options: { readonly abortSignal: AbortSignal }) => Promise<unknown>
  /** The SDK client's middleware stack, where the call shell adds the attempt headers (absent on stubs). */
  readonly middlewareStack?: unknown
}

/**
 * Settings for one operation of a service.
 *
 * @since 0.1.0
 * @category models
 */
export interface OperationSettings {
  readonly policy?: RetryPolicy.RetryPolicy | undefined
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** Overrides the idempotency table for this operation. */
  readonly idempotent?: boolean | undefined
}

/**
 * A client and how rebound runs its calls.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The service's name in failures, events and keys, e.g. `"DynamoDB"`. */
  readonly name: string
  readonly client: SdkClient
  /**
   * Where hedges go (a policy with `hedging`): a second client of the same configuration, with its own connection pool,
   * so a hedge opens a fresh connection (and a fresh DNS lookup) as AWS advises for slow S3 requests. Default: `client`.
   */
  readonly hedgeClient?: SdkClient | undefined
  readonly policy?: RetryPolicy.RetryPolicy | undefined
  /** Per-attempt timeout. Default 30 seconds. */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** Per-operation settings, keyed by operation (`"GetItem"`). */
  readonly operations?: Readonly<Record<string, OperationSettings>> | undefined
  /** Codes declared throttling, transient or fatal. */
  readonly rules?: AwsError.Rules | undefined
  /**
   * Who owns the guard state (quota, budget, limiter, breaker) of this service's calls. The service layers name one
   * scope per client instance (`DynamoDB(eu-west-1)#3`); give several services the same name to share state on
   * purpose. Without one, the service `name` owns it — every service of that name shares state.
   */
  readonly scope?: string | undefined
}

/**
 * Settings for one call.
 *
 * @since 0.1.0
 * @category models
 */
export interface SendOptions extends OperationSettings {
  /** The resource for per-resource quotas, limiters and breakers; derived from the input by default. */
  readonly resource?: string | undefined
  /**
   * A cleanup or compensation call (aborting a multipart upload, deleting what a failed workflow wrote): never
   * refused by a breaker, budget or quota, and it does not touch them. The policy's attempts and time budget apply.
   */
  readonly cleanup?: boolean | undefined
}

/**
 * Sends a command through a service: typed by the command's input and output.
 *
 * Each attempt is one `client.send` with its own abort signal (interrupting the fiber or passing the attempt's
 * deadline aborts it). The first send through a client adds a middleware to its stack, right after the SDK's retry
 * middleware, that gives each of rebound's attempts the headers the SDK's retry middleware would have sent:
 * `amz-sdk-invocation-id` (one per call, the same on every attempt) and `amz-sdk-request: attempt=N; max=M` (a
 * hedge takes the next number, and under a hedging policy `max` is `maxAttempts × (1 + maxHedged)`); the client's
 * other sends are left alone. The output's `$metadata.attempts` and `$metadata.totalRetryDelay` say what
 * rebound did.
 *
 * The options are checked before anything is sent: an option that is not what its type says (`attemptTimeout: -1`,
 * `NaN`, `"banana"`) is a programming error, so the call dies with an `InvalidOptionError` naming the field instead
 * of failing in the error channel. Local configuration errors (no region, no credentials) fail with a `FatalError`
 * whose message says what to configure.
 *
 * @example
 * ```ts
 * import { AwsCall, ClientConfig } from "@rebound/aws"
 * import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb"
 *
 * // Any SDK v3 client works the same way; the output type comes from the command.
 * const dynamodb: AwsCall.Service = {
 *   name: "DynamoDB",
 *   client: new DynamoDBClient({ ...ClientConfig.owned({ region: "eu-west-1" }), retryStrategy: ClientConfig.passThrough })
 * }
 * const tables = AwsCall.send(dynamodb, new ListTablesCommand({}), { attemptTimeout: "2 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category calls
 */
export const send: <I extends object, O extends MetadataBearer>(
  service: Service,
  command: CommandIO<I, O>,
  options?: SendOptions
) => Effect.Effect<O, CallError.CallError> = call.send

/**
 * The operation a command runs: `GetItemCommand` → `"GetItem"`.
 *
 * @example
 * ```ts
 * import { AwsCall } from "@rebound/aws"
 * import { GetItemCommand } from "@aws-sdk/client-dynamodb"
 *
 * console.log(AwsCall.operationOf(new GetItemCommand({ TableName: "orders", Key: {} }))) // "GetItem"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const operationOf: (command: object) => string = internal.operationOf

/**
 * The resource a call concerns (a table, a bucket and its first key prefix, a function name).
 *
 * @since 0.1.0
 * @category utils
 */
export const resourceOf: (service: string, input: unknown) => string | undefined = internal.resourceOf
