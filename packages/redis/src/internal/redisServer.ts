import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import type * as RedisServer from "../testing/RedisServer.js"

/** @internal */
export const binary = (): string | undefined => {
  const named = process.env.REDIS_SERVER
  if (named !== undefined && named.length > 0) return fs.existsSync(named) ? named : undefined
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "redis-server")
    if (dir.length > 0 && fs.existsSync(candidate)) return candidate
  }
  return undefined
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** Resolves once the server prints that it accepts connections; rejects if it exits first. */
const launch = (bin: string, port: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(bin, [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "yes"
    ], { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData)
        child.stdout?.resume()
        resolve(child)
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.resume()
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code} before it was ready`)))
  })

const stop = (child: ChildProcess | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** @internal */
export const start = (): Effect.Effect<RedisServer.RedisServer, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const bin = binary()
    if (bin === undefined) {
      return yield* Effect.fail(new Error("redis-server not found on PATH (Debian: apt-get install redis-server)"))
    }
    const port = yield* Effect.promise(freePort)
    let child: ChildProcess | undefined = yield* Effect.tryPromise({
      try: () => launch(bin, port),
      catch: (e) => (e instanceof Error ? e : new Error(String(e)))
    })
    yield* Effect.addFinalizer(() => Effect.promise(() => stop(child)))
    return {
      host: "127.0.0.1",
      port,
      kill: Effect.promise(() => stop(child)),
      restart: Effect.tryPromise({
        try: async () => {
          await stop(child)
          child = await launch(bin, port)
        },
        catch: (e) => (e instanceof Error ? e : new Error(String(e)))
      })
    }
  })
