/**
 * rebound for the AWS SDK for JavaScript v3.
 *
 * @since 0.1.0
 */

/**
 * SDK client settings for clients whose retries rebound owns.
 *
 * @since 0.1.0
 */
export * as ClientConfig from "./ClientConfig.js"
