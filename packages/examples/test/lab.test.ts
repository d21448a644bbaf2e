import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Console, Effect } from "effect"
import * as net from "node:net"
import { command } from "../src/lab.js"

const run = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const original = yield* Console.consoleWith(Effect.succeed)
    const exit = yield* Command.run(command, { name: "rebound lab", version: "0.1.0" })(["node", "lab", ...args]).pipe(
      Effect.withConsole({
        ...original,
        log: (...xs: ReadonlyArray<unknown>) => Effect.sync(() => lines.push(xs.join(" ")))
      }),
      Effect.provide(NodeContext.layer),
      Effect.exit
    )
    return { lines, exit }
  })

const refuses = (url: string) =>
  Effect.promise(() =>
    new Promise<boolean>((resolve) => {
      const { hostname, port } = new URL(url)
      const socket = net.connect(Number(port), hostname)
      socket.once("connect", () => {
        socket.destroy()
        resolve(false)
      })
      socket.once("error", () => resolve(true))
    })
  )

describe("pnpm lab", () => {
  it.live(
    "starts the lab, prints the endpoints and client settings, and closes everything when it stops",
    () =>
      Effect.gen(function*() {
        const { exit, lines } = yield* run("--table", "orders", "--bucket", "reports", "--for", "100 millis")
        expect(exit._tag).toBe("Success")
        const endpoints = lines.flatMap((
          l
        ) => [...l.matchAll(/^\s+(DynamoDB|S3|Lambda)\s+(http:\/\/127\.0\.0\.1:\d+)/g)])
        expect(endpoints.map((m) => m[1])).toEqual(["DynamoDB", "S3", "Lambda"])
        expect(lines.some((l) => l.includes("aws dynamodb list-tables --endpoint-url"))).toBe(true)
        for (const m of endpoints) expect(yield* refuses(m[2]!)).toBe(true)
      }),
    30_000
  )

  it.live("rejects bad options with a typed error naming the flag", () =>
    Effect.gen(function*() {
      const chaos = yield* run("--chaos", "2", "--for", "1 millis")
      expect(chaos.exit._tag === "Failure" && JSON.stringify(chaos.exit.cause).includes("--chaos")).toBe(true)
      const duration = yield* run("--for", "soon")
      expect(duration.exit._tag === "Failure" && JSON.stringify(duration.exit.cause).includes("--for")).toBe(true)
    }), 30_000)
})
