// Programs that reach this file through an import (the JSDoc example check, a consumer's build) do not include the
// ambient declaration of `dynalite` by themselves.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../dynalite.d.ts" />
// dynalite 4.0.0, in process and in memory, on 127.0.0.1.
import dynalite from "dynalite"
import * as Effect from "effect/Effect"
import type * as http from "node:http"
import type { AddressInfo } from "node:net"
import { LabError } from "../LabError.js"

export const start = Effect.acquireRelease(
  Effect.async<http.Server, LabError>((resume) => {
    // No CREATING delay: a table is usable as soon as CreateTable returns.
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
    server.once(
      "error",
      (cause) => resume(Effect.fail(new LabError({ component: "dynamodb", action: "listen on 127.0.0.1", cause })))
    )
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map((server) => {
  const address = server.address() as AddressInfo
  return `http://${address.address}:${address.port}`
}))
