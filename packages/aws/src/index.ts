/**
 * rebound for the AWS SDK for JavaScript v3.
 *
 * @since 0.1.0
 */

/**
 * The call shell: every SDK v3 command as an Effect with typed failures, retried under rebound's policies.
 *
 * @since 0.1.0
 */
export * as AwsCall from "./AwsCall.js"

/**
 * Classification of every error the AWS SDK can throw into `ThrottlingError | TransientError | FatalError`.
 *
 * @since 0.1.0
 */
export * as AwsError from "./AwsError.js"

/**
 * Settings for clients rebound owns (SDK retries off), and service options read with `effect/Config`.
 *
 * @since 0.1.0
 */
export * as ClientConfig from "./ClientConfig.js"

/**
 * DynamoDB as an Effect service, with batch operations that finish the job and paginated streams.
 *
 * @since 0.1.0
 */
export * as DynamoDB from "./DynamoDB.js"

/**
 * A fleet store on a DynamoDB table: retry guards shared by every process of a fleet, by conditional writes.
 *
 * @since 0.1.0
 */
export * as DynamoDBStore from "./DynamoDBStore.js"

/**
 * Which S3, DynamoDB and Lambda operations may be repeated after an ambiguous failure.
 *
 * @since 0.1.0
 */
export * as Idempotency from "./Idempotency.js"

/**
 * Lambda as an Effect service, with an `invoke` that types function errors and never runs a function twice by accident.
 *
 * @since 0.1.0
 */
export * as Lambda from "./Lambda.js"

/**
 * rebound policies as the SDK's own `RetryStrategyV2`, for plain SDK clients.
 *
 * @since 0.1.0
 */
export * as RetryStrategy from "./RetryStrategy.js"

/**
 * S3 as an Effect service, with a multipart upload that retries each part on its own.
 *
 * @since 0.1.0
 */
export * as S3 from "./S3.js"
