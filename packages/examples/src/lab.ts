/**
 * `pnpm lab`: the local AWS lab as a standalone process, for exploring with a plain AWS SDK or the AWS CLI. It prints
 * the endpoints and the settings a client needs, then runs until interrupted (or for `--for <duration>`).
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Fault, Lab, type LabError } from "@rebound/aws/testing"
import { InvalidOption } from "@rebound/core"
import { Console, Duration, Effect, Option } from "effect"

/**
 * The lines `pnpm lab` prints for a running lab.
 *
 * @since 0.1.0
 */
export const describeLab = (lab: Lab.Lab, functions: ReadonlyArray<string>): ReadonlyArray<string> => {
  const { dynamodb, lambda, s3 } = lab.clientConfig
  const env = `AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=${dynamodb.region}`
  return [
    "rebound lab — DynamoDB, S3 and Lambda on 127.0.0.1, each behind a fault proxy. Ctrl-C stops it.",
    "",
    `  DynamoDB  ${lab.endpoints.dynamodb}   (dynalite, in memory)`,
    `  S3        ${lab.endpoints.s3}   (s3rver; path-style addressing)`,
    `  Lambda    ${lab.endpoints.lambda}   (functions: ${functions.join(", ")})`,
    "",
    "AWS SDK for JavaScript v3 (credentials S3RVER/S3RVER work everywhere; s3rver accepts no others):",
    `  new DynamoDBClient({ region: "${dynamodb.region}", endpoint: "${dynamodb.endpoint}", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } })`,
    `  new S3Client({ region: "${s3.region}", endpoint: "${s3.endpoint}", forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } })`,
    `  new LambdaClient({ region: "${lambda.region}", endpoint: "${lambda.endpoint}", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } })`,
    "",
    "AWS CLI:",
    `  ${env} aws dynamodb list-tables --endpoint-url ${lab.endpoints.dynamodb}`,
    `  ${env} aws s3 ls --endpoint-url ${lab.endpoints.s3}`,
    `  ${env} aws lambda invoke --function-name echo --payload '{"hi":1}' --cli-binary-format raw-in-base64-out --endpoint-url ${lab.endpoints.lambda} out.json`
  ]
}

const tables = Options.text("table").pipe(
  Options.withDescription("A DynamoDB table to create (key: pk, a string). Repeat for more."),
  Options.repeated
)
const buckets = Options.text("bucket").pipe(
  Options.withDescription("An S3 bucket to create (3–63 characters). Repeat for more."),
  Options.repeated
)
const chaos = Options.float("chaos").pipe(
  Options.withDescription(
    "Inject faults into this share of requests (0–1): throttles, 503s, resets, unprocessed items."
  ),
  Options.optional
)
const seed = Options.integer("seed").pipe(
  Options.withDescription("The seed of --chaos, so a session can be replayed."),
  Options.withDefault(1)
)
const port = Options.integer("port").pipe(
  Options.withDescription(
    "Listen on fixed ports: DynamoDB on PORT, S3 on PORT+1, Lambda on PORT+2 (default: free ports, printed)."
  ),
  Options.optional
)
const runFor = Options.text("for").pipe(
  Options.withDescription("Stop after this long (e.g. \"30 seconds\") instead of waiting for Ctrl-C."),
  Options.optional
)

const invalid = (field: string, value: string, expected: string) =>
  new InvalidOption.InvalidOptionError({ constructorName: "pnpm lab", field, value, expected })

const functions = {
  echo: { handler: (event: unknown) => ({ echo: event }) },
  boom: {
    handler: () => {
      throw Object.assign(new Error("kaboom"), { name: "DemoError" })
    }
  }
}

/**
 * The `lab` command.
 *
 * @since 0.1.0
 */
export const command: Command.Command<
  "lab",
  never,
  LabError.LabError | InvalidOption.InvalidOptionError,
  {
    readonly tables: Array<string>
    readonly buckets: Array<string>
    readonly chaos: Option.Option<number>
    readonly seed: number
    readonly port: Option.Option<number>
    readonly runFor: Option.Option<string>
  }
> = Command.make(
  "lab",
  { tables, buckets, chaos, seed, port, runFor },
  (options) =>
    Effect.gen(function*() {
      const chaosShare = Option.getOrUndefined(options.chaos)
      if (chaosShare !== undefined && !(chaosShare >= 0 && chaosShare <= 1)) {
        return yield* Effect.fail(invalid("--chaos", String(chaosShare), "a share of requests between 0 and 1"))
      }
      const duration = Option.isSome(options.runFor) ? Duration.decodeUnknown(options.runFor.value) : Option.none()
      if (Option.isSome(options.runFor) && Option.isNone(duration)) {
        return yield* Effect.fail(invalid("--for", options.runFor.value, "a duration such as \"30 seconds\""))
      }
      const first = Option.getOrUndefined(options.port)
      if (first !== undefined && !(first >= 1 && first <= 65533)) {
        return yield* Effect.fail(invalid("--port", String(first), "a port from 1 to 65533 (three ports are used)"))
      }
      const lab = yield* Lab.make({
        tables: options.tables,
        buckets: options.buckets,
        functions,
        ...(first !== undefined ? { ports: { dynamodb: first, s3: first + 1, lambda: first + 2 } } : {})
      })
      if (chaosShare !== undefined) {
        const p = chaosShare / 5
        yield* lab.chaos({
          seed: options.seed,
          probabilities: { throttle: p, serverError: p, resetBeforeForward: p, resetAfterForward: p, unprocessed: p },
          faults: { unprocessed: Fault.unprocessed(0.3) }
        })
      }
      for (const line of describeLab(lab, Object.keys(functions))) yield* Console.log(line)
      if (Option.isSome(duration)) yield* Effect.sleep(duration.value)
      else yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription("Runs rebound's local AWS lab: DynamoDB, S3 and Lambda on loopback, faults on the wire.")
)
