// s3rver 3.7.1 in a child process, on 127.0.0.1, storing objects in a temporary directory removed on close.
//
// Why a child process: s3rver's ListObjectsV2 continuation token uses DES (`crypto.createCipheriv("des", …)`),
// which OpenSSL 3 only offers through its legacy provider, and Node loads providers only at start-up
// (`--openssl-legacy-provider`). Started in the test process, s3rver would need every user to put that flag in
// NODE_OPTIONS; in its own process the lab passes it on the command line and nobody has to know.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Command from "@effect/platform/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { createRequire } from "node:module"
import { LabError } from "../LabError.js"

// Runs in the child (CommonJS, `node -e`): argv[1] is s3rver's entry point, argv[2] the data directory.
const bootstrap = `"use strict"
const [entry, directory] = process.argv.slice(1)
// The lab holds this process's stdin open; when the lab's process goes away, even killed, stdin ends and so does s3rver.
process.stdin.on("end", () => process.exit(0)).resume()
const S3rver = require(entry)
new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory }).run().then(
  (a) => process.stdout.write("s3rver listening " + a.address + " " + a.port + "\\n"),
  (e) => { process.stderr.write(String((e && e.stack) || e) + "\\n"); process.exit(1) }
)
`

const readyLine = /^s3rver listening (\S+) (\d+)$/

export interface S3rver {
  readonly url: string
  readonly directory: string
  readonly pid: number
}

export const start = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const directory = yield* fs.makeTempDirectoryScoped({ prefix: "rebound-s3rver-" })
  const entry = createRequire(import.meta.url).resolve("s3rver")
  const child = yield* Command.make(process.execPath, "--openssl-legacy-provider", "-e", bootstrap, entry, directory)
    .pipe(Command.start)
  const stderr = yield* Ref.make("")
  yield* child.stderr.pipe(
    Stream.decodeText(),
    Stream.runForEach((text) => Ref.update(stderr, (s) => (s + text).slice(-4000))),
    Effect.forkScoped
  )
  const ready = yield* Deferred.make<string, string>()
  // Keep reading stdout after the ready line, so the child never blocks on a full pipe.
  yield* child.stdout.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.runForEach((line) => {
      const match = readyLine.exec(line)
      return match ? Deferred.succeed(ready, `http://${match[1]}:${match[2]}`) : Effect.void
    }),
    Effect.ensuring(Deferred.fail(ready, "s3rver exited before listening")),
    Effect.forkScoped
  )
  const url = yield* Deferred.await(ready).pipe(
    Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => "s3rver did not report its port in 20 seconds" }),
    Effect.catchAll((reason) =>
      Effect.flatMap(Ref.get(stderr), (err) => Effect.fail(`${reason}${err === "" ? "" : `; stderr: ${err.trim()}`}`))
    )
  )
  return { url, directory, pid: child.pid } satisfies S3rver
}).pipe(
  Effect.mapError((cause) => new LabError({ component: "s3", action: "start s3rver on 127.0.0.1", cause })),
  Effect.provide(NodeContext.layer)
)
