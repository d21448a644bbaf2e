/**
 * rebound on Redis: fleet-wide retry guards.
 *
 * @since 0.1.0
 */

/**
 * A `FleetStore` engine on Redis through ioredis.
 *
 * @since 0.1.0
 */
export * as RedisStore from "./RedisStore.js"
