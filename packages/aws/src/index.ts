/**
 * rebound for the AWS SDK for JavaScript v3: the parts that need no particular AWS client.
 *
 * The services live at their own subpaths — `@rebound/aws/DynamoDB`, `@rebound/aws/S3`, `@rebound/aws/Lambda` — as
 * does the fleet store on DynamoDB (`@rebound/aws/DynamoDBStore`), and are not re-exported here: each imports its own
 * `@aws-sdk/client-*`, which is an optional peer dependency, so a project that uses only DynamoDB installs only
 * `@aws-sdk/client-dynamodb`.
 *
 * @since 0.1.0
 */

// The comment above documents the module. docgen reads a file's first comment as the documentation of its first
// statement too, so that statement is this import, which compiles to nothing, rather than a re-export.
import type {} from "./AwsCall.js"

/**
 * The services for code not written in Effect: one runtime, every call a Promise that rejects with its typed failure.
 *
 * @since 0.1.0
 * @category modules
 */
export * as AwsAsync from "./AwsAsync.js"

/**
 * The call shell: every SDK v3 command as an Effect with typed failures, retried under rebound's policies.
 *
 * @since 0.1.0
 * @category modules
 */
export * as AwsCall from "./AwsCall.js"

/**
 * Classification of every error the AWS SDK can throw into `ThrottlingError | TransientError | FatalError`.
 *
 * @since 0.1.0
 * @category modules
 */
export * as AwsError from "./AwsError.js"

/**
 * Settings for clients rebound owns (SDK retries off), and service options read with `effect/Config`.
 *
 * @since 0.1.0
 * @category modules
 */
export * as ClientConfig from "./ClientConfig.js"

/**
 * Which S3, DynamoDB and Lambda operations may be repeated after an ambiguous failure.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Idempotency from "./Idempotency.js"

/**
 * rebound policies as the SDK's own `RetryStrategyV2`, for plain SDK clients.
 *
 * @since 0.1.0
 * @category modules
 */
export * as RetryStrategy from "./RetryStrategy.js"
