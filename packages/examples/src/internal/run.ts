import type * as DynamoDB from "@rebound/aws/DynamoDB"
import type * as Lambda from "@rebound/aws/Lambda"
import type * as S3 from "@rebound/aws/S3"
import { Lab } from "@rebound/aws/testing"
import { Console, Effect, type Layer } from "effect"
import { exitCodes, isMain, runProcess, terminal, toExitCode } from "./cli.js"

/** The services an example runs against. */
export type Services = Lab.Lab | DynamoDB.DynamoDB | S3.S3 | Lambda.Lambda

/**
 * Runs an example as a program when its file is executed directly (`pnpm example:…`), against a fresh lab: prints
 * its result as JSON (through `show`, for results that are not plain data), and exits 1 when the result says it is
 * not `ok` or the example failed.
 */
export const runMain = <A, E>(
  meta: ImportMeta,
  program: Effect.Effect<A, E, Services>,
  options: {
    readonly lab?: Layer.Layer<Services, unknown> | undefined
    readonly show?: ((result: A) => unknown) | undefined
  } = {}
) => {
  if (!isMain(meta)) return
  // The AWS SDK warns on Node 20 that releases after January 2027 will need Node 22; the versions here are pinned.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
  const printed = program.pipe(
    Effect.tap((result) => Console.log(JSON.stringify(options.show ? options.show(result) : result, null, 2))),
    Effect.map((result) =>
      typeof result === "object" && result !== null && "ok" in result && result.ok === false ?
        exitCodes.failed :
        exitCodes.ok
    ),
    Effect.provide(options.lab ?? Lab.layerWithServices())
  )
  runProcess(toExitCode(printed, terminal()))
}
