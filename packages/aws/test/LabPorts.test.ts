import { describe, expect, it } from "@effect/vitest"
import { Lab } from "@rebound/aws/testing"
import { Effect } from "effect"
import * as net from "node:net"

const freePort = () =>
  Effect.promise(() =>
    new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo
        server.close(() => resolve(port))
      })
    })
  )

describe("Lab ports", () => {
  it.live("ports fixes where the proxies listen; the others get free ports", () =>
    Effect.gen(function*() {
      const port = yield* freePort()
      const endpoints = yield* Effect.scoped(Effect.map(Lab.make({ ports: { s3: port } }), (lab) => lab.endpoints))
      expect(endpoints.s3).toBe(`http://127.0.0.1:${port}`)
      expect(endpoints.dynamodb).not.toBe(endpoints.s3)
    }), 30_000)

  it.live("a port in use or out of range fails the lab with a LabError naming it", () =>
    Effect.gen(function*() {
      const port = yield* freePort()
      const busy = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<net.Server>((resolve) => {
            const server = net.createServer().listen(port, "127.0.0.1", () => resolve(server))
          })
        ),
        (server) => Effect.promise(() => new Promise((resolve) => server.close(resolve)))
      )
      expect(busy.listening).toBe(true)
      const inUse = yield* Effect.flip(Effect.scoped(Lab.make({ ports: { lambda: port } })))
      expect(inUse).toMatchObject({ _tag: "LabError", component: "proxy" })
      expect(inUse.message).toContain(`127.0.0.1:${port}`)
      const outOfRange = yield* Effect.flip(Effect.scoped(Lab.make({ ports: { dynamodb: 70_000 } })))
      expect(outOfRange.message).toContain("port 70000")
    }).pipe(Effect.scoped), 30_000)
})
