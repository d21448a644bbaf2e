/**
 * Settings for AWS SDK v3 clients whose retries rebound owns.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/**
 * Static credentials (tests and local labs). In production leave them out and let the SDK's default provider chain
 * find them; rebound never logs them.
 *
 * @since 0.1.0
 * @category models
 */
export interface StaticCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

/**
 * What every rebound-owned client is built from.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  readonly region?: string | undefined
  readonly endpoint?: string | undefined
  readonly credentials?: StaticCredentials | undefined
  /** Time allowed to open a TCP connection. Default 3 seconds. */
  readonly connectionTimeout?: Duration.DurationInput | undefined
}

/**
 * The SDK client configuration rebound uses: the SDK's own retries are off (`maxAttempts: 1`) so attempts never
 * multiply, and connecting has a timeout (the SDK has none by default).
 *
 * @example
 * ```ts
 * import { ClientConfig } from "@rebound/aws"
 * import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
 *
 * const client = new DynamoDBClient(ClientConfig.owned({ region: "eu-west-1" }))
 * client.destroy()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const owned = (options: ClientOptions = {}) => ({
  maxAttempts: 1,
  ...(options.region !== undefined ? { region: options.region } : {}),
  ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
  ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
  requestHandler: {
    connectionTimeout: Duration.toMillis(options.connectionTimeout ?? Duration.seconds(3))
  }
})
