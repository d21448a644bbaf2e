// The lab's footprint: loopback only, and nothing left behind when its scope closes (or when it fails to start).
import { describe, expect, it } from "@effect/vitest"
import { Lab } from "@rebound/aws/testing"
import { Cause, Effect, Exit } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"

/** Opens (and closes) a TCP connection: `"connected"`, or the error code. */
const connect = (host: string, port: number) =>
  Effect.async<string>((resume) => {
    const socket = net.connect({ host, port })
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed("connected"))
    })
    socket.once("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code ?? error.message)))
  })

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const listeners = (lab: Lab.Lab) =>
  [...Object.entries(lab.endpoints), ...Object.entries(lab.upstreams)].map(([name, url]) => ({
    name,
    url: new URL(url)
  }))

const externalAddress = Object.values(os.networkInterfaces()).flat()
  .find((i) => i !== undefined && i.family === "IPv4" && !i.internal)?.address

describe("the lab's footprint", () => {
  it.scopedLive("every server and proxy listens on 127.0.0.1 only", () =>
    Effect.gen(function*() {
      const lab = yield* Lab.make()
      const all = listeners(lab)
      expect(all.length).toBe(6)
      for (const { url } of all) {
        expect(url.hostname).toBe("127.0.0.1")
        expect(yield* connect("127.0.0.1", Number(url.port))).toBe("connected")
        // On a machine with another address, the same port there must refuse: nothing listens on 0.0.0.0.
        if (externalAddress !== undefined) {
          expect(yield* connect(externalAddress, Number(url.port))).toBe("ECONNREFUSED")
        }
      }
    }))

  it.live("closing the scope closes every listener, stops s3rver and removes its directory", () =>
    Effect.gen(function*() {
      const seen = yield* Effect.scoped(Effect.map(Lab.make({ tables: ["t-1"], buckets: ["b-1"] }), (lab) => ({
        ports: listeners(lab).map(({ url }) => Number(url.port)),
        directory: lab.s3rver.directory,
        pid: lab.s3rver.pid,
        directoryExisted: fs.existsSync(lab.s3rver.directory),
        wasRunning: isRunning(lab.s3rver.pid)
      })))
      expect([seen.directoryExisted, seen.wasRunning]).toEqual([true, true])
      for (const port of seen.ports) expect(yield* connect("127.0.0.1", port)).toBe("ECONNREFUSED")
      expect(fs.existsSync(seen.directory)).toBe(false)
      expect(isRunning(seen.pid)).toBe(false)
    }))

  it.live("a start-up failure is a LabError naming the part, and releases what had started", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Lab.make({ functions: { "not a valid name": () => null } })))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      expect(error?._tag === "Some" && error.value.component).toBe("lambda")
      expect(error?._tag === "Some" && error.value.message).toMatch(
        /^lab lambda: register function not a valid name failed: LambdaServer\.register\(not a valid name\): option "name"/
      )
    }))
})
