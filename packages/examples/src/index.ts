/**
 * The catalogue of runnable examples. The README links each one; a test checks that every file listed here exists.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface Example {
  /** The command that runs it, from the repository root. */
  readonly command: string
  /** The source file, relative to `packages/examples`. */
  readonly file: string
  /** One line saying what it shows. */
  readonly shows: string
}

/**
 * @since 0.1.0
 * @category catalogue
 */
export const examples: ReadonlyArray<Example> = [
  {
    command: "pnpm example:s3",
    file: "src/s3-uploads.ts",
    shows: "S3 uploads despite network timeouts: multipart parts retried one by one, then a byte-for-byte read-back"
  },
  {
    command: "pnpm example:dynamodb",
    file: "src/dynamodb-reads.ts",
    shows:
      "DynamoDB reads under throughput limits: batchGetAll and a paginated query absorb throttles and read every item"
  },
  {
    command: "pnpm example:lambda",
    file: "src/lambda-rate-limiting.ts",
    shows:
      "Lambda under rate limiting: a burst against low reserved concurrency, paced by the adaptive limiter, no duplicate runs"
  },
  {
    command: "pnpm example:decorator",
    file: "src/decorator.ts",
    shows: "the guide's retry_decorator as a TypeScript 5 decorator on rebound's Promise face, with typed failures"
  },
  {
    command: "pnpm example:logging",
    file: "src/logging-and-monitoring.ts",
    shows: "every retry in the log, metrics, CloudWatch EMF lines and OpenTelemetry spans for each call and attempt"
  },
  {
    command: "pnpm example:composing",
    file: "src/composing-policies.ts",
    shows: "per-service defaults in layers, a per-operation and a per-call override, one retry quota shared by the app"
  },
  {
    command: "pnpm example:timing",
    file: "src/deterministic-timing.ts",
    shows: "a deterministic timing test for your own code: scripted outcomes on TestClock, exact instants"
  },
  {
    command: "pnpm example:hedging",
    file: "src/hedged-reads.ts",
    shows:
      "hedged S3 and DynamoDB reads under a latency tail: p50, p99, p99.9 and extra requests, hedged and not, side by side"
  }
]
