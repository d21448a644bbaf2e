/**
 * rebound's simulator: a deterministic, virtual-time benchmark that runs rebound's policy core against modelled
 * services.
 *
 * @since 0.1.0
 */

/**
 * Scenario C2: a brownout with a server queue and client timeouts (metastability).
 *
 * @since 0.1.0
 */
export * as Brownout from "./Brownout.js"

/**
 * rebound's earlier defaults, kept as peers, and the variants of today's default weighed on the training set.
 *
 * @since 0.1.0
 */
export * as Candidates from "./Candidates.js"

/**
 * Charts of a sweep as Vega-Lite specifications, rendered to SVG headless.
 *
 * @since 0.1.0
 */
export * as Charts from "./Charts.js"

/**
 * A simulated SDK client instance running rebound's policy core in the interpreter's order.
 *
 * @since 0.1.0
 */
export * as Client from "./Client.js"

/**
 * Scenario A: Brooker's OCC contention.
 *
 * @since 0.1.0
 */
export * as Contention from "./Contention.js"

/**
 * The discrete-event loop in integer-microsecond virtual time.
 *
 * @since 0.1.0
 */
export * as EventQueue from "./EventQueue.js"

/**
 * The fleet scenario: P processes × W workers, per-process guard state against a fleet store.
 *
 * @since 0.1.0
 */
export * as Fleet from "./Fleet.js"

/**
 * The goals for rebound's recommended default, checked against a sweep's results.
 *
 * @since 0.1.0
 */
export * as Goals from "./Goals.js"

/**
 * Scenario C1: a fast-fail outage.
 *
 * @since 0.1.0
 */
export * as Outage from "./Outage.js"

/**
 * The policy matrix, per scenario.
 *
 * @since 0.1.0
 */
export * as Policies from "./Policies.js"

/**
 * The Markdown report of a sweep.
 *
 * @since 0.1.0
 */
export * as Report from "./Report.js"

/**
 * Seeded, independent random streams.
 *
 * @since 0.1.0
 */
export * as Rng from "./Rng.js"

/**
 * Means, confidence intervals, percentiles, Jain's index.
 *
 * @since 0.1.0
 */
export * as Stats from "./Stats.js"

/**
 * The benchmark sweep: scenarios × policies × seeds.
 *
 * @since 0.1.0
 */
export * as Sweep from "./Sweep.js"

/**
 * Scenario H: a latency tail, hedged and not, and a partial outage.
 *
 * @since 0.1.0
 */
export * as Tail from "./Tail.js"

/**
 * Scenario B: a token-bucket-throttled service, batch drain (B1) and open loop (B2).
 *
 * @since 0.1.0
 */
export * as Throttled from "./Throttled.js"
