/**
 * `@rebound/aws/testing`: the local AWS lab — real DynamoDB, S3 and Lambda endpoints on loopback, with faults
 * injected on the wire — for testing retry behaviour with the real AWS SDK clients.
 *
 * @since 0.1.0
 */

// The comment above documents the module. docgen reads a file's first comment as the documentation of its first
// statement too, so that statement is this import, which compiles to nothing, rather than a re-export.
import type {} from "./Capacity.js"

/**
 * How much load the lab's tables, S3 prefixes and functions take before they throttle.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Capacity from "./Capacity.js"

/**
 * Faults injected on the wire, encoded as each AWS protocol does, and the rules that schedule them.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Fault from "./Fault.js"

/**
 * The fault-injecting proxy between the SDK clients and the local servers.
 *
 * @since 0.1.0
 * @category modules
 */
export * as FaultProxy from "./FaultProxy.js"

/**
 * The whole lab: servers, proxies, client settings and fixtures, as a service and a layer.
 *
 * @since 0.1.0
 * @category modules
 */
export * as Lab from "./Lab.js"

/**
 * The typed error of lab start-up and fixtures.
 *
 * @since 0.1.0
 * @category modules
 */
export * as LabError from "./LabError.js"

/**
 * An in-project Lambda Invoke endpoint with reserved concurrency, rate limits and execution counts.
 *
 * @since 0.1.0
 * @category modules
 */
export * as LambdaServer from "./LambdaServer.js"
