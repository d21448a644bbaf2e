import { NodeRuntime } from "@effect/platform-node"
import type * as DynamoDB from "@rebound/aws/DynamoDB"
import type * as Lambda from "@rebound/aws/Lambda"
import type * as S3 from "@rebound/aws/S3"
import { Lab } from "@rebound/aws/testing"
import { Console, Effect, type Layer } from "effect"
import { pathToFileURL } from "node:url"

/** The services an example runs against. */
export type Services = Lab.Lab | DynamoDB.DynamoDB | S3.S3 | Lambda.Lambda

/** Runs an example as a program when its file is executed directly (`pnpm example:…`), against a fresh lab. */
export const runMain = <A, E>(
  meta: ImportMeta,
  program: Effect.Effect<A, E, Services>,
  lab: Layer.Layer<Services, unknown> = Lab.layerWithServices()
) => {
  if (process.argv[1] === undefined || meta.url !== pathToFileURL(process.argv[1]).href) return
  // The AWS SDK warns on Node 20 that releases after January 2027 will need Node 22; the versions here are pinned.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
  program.pipe(
    Effect.tap((result) => Console.log(JSON.stringify(result, null, 2))),
    Effect.provide(lab),
    NodeRuntime.runMain
  )
}
