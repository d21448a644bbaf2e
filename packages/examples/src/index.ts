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
    command: "pnpm example:logging",
    file: "src/logging-and-monitoring.ts",
    shows: "every retry in the log, metrics, CloudWatch EMF lines and OpenTelemetry spans for each call and attempt"
  }
]
