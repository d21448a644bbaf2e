import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll } from "vitest"
import {
  type Manifest,
  nodeBinary,
  npmProject,
  ok,
  pack,
  readJson,
  run,
  scratch,
  tarEntries,
  tarFile,
  typecheck,
  workspace,
  writeSmoke
} from "../harness.js"

// Node 22 is where Effect 4 and the AWS SDK's 2027 releases start; this pins the release the test runs on.
const node22Version = "22.23.5"

// Made when a test first needs it, so a run that stops early leaves nothing behind.
let rootDir: string | undefined
const root = () => (rootDir ??= scratch("rebound-packaging-"))
afterAll(() => {
  if (rootDir !== undefined && process.env.REBOUND_KEEP_PACKAGING === undefined) {
    fs.rmSync(rootDir, { recursive: true, force: true })
  }
})

// Each step runs once, the first time a test needs it; a step that failed fails every test that needs it.
const once = <A>(f: () => Promise<A>) => {
  let memo: Promise<A> | undefined
  return () => (memo ??= f())
}

const core = readJson<Manifest>(path.join(workspace, "packages", "core", "package.json"))
const aws = readJson<Manifest>(path.join(workspace, "packages", "aws", "package.json"))
const effectRange = core.peerDependencies!.effect!
// What a DynamoDB-only user installs: rebound, Effect in rebound's range, one AWS client, Node's types.
const userSpecs = (tarballs: ReadonlyArray<string>) => [
  ...tarballs,
  `effect@${effectRange}`,
  `@aws-sdk/client-dynamodb@${aws.devDependencies!["@aws-sdk/client-dynamodb"]}`,
  `@types/node@${readJson<Manifest>(path.join(workspace, "package.json")).devDependencies!["@types/node"]}`
]

const packed = once(async () => {
  const destination = path.join(root(), "tarballs")
  fs.mkdirSync(destination)
  return pack(destination)
})

const installProblems = (output: string) =>
  output.split("\n").filter((line) => /ERESOLVE|EBADENGINE|peer dep|invalid|missing/i.test(line))

const tarballs = async () => (await packed()).map((p) => p.tarball)

const installed = once(async () => {
  const dir = path.join(root(), "node20")
  const result = await ok(npmProject(dir, userSpecs(await tarballs())), "npm install (Node 20)")
  return { dir, output: result.stdout + result.stderr }
})

const compiled = once(async () => {
  const { dir } = await installed()
  writeSmoke(dir)
  const modes = ["nodenext", "bundler", "node10"] as const
  const results = await Promise.all(modes.map((mode) => typecheck(dir, mode)))
  return modes.map((mode, i) => ({ mode, status: results[i]!.status, output: results[i]!.stdout }))
})

interface SmokeReport {
  readonly tables: ReadonlyArray<string>
  readonly retried: number
  readonly fatalTag: string
  readonly fatalIsFatalError: boolean
  readonly fatalCode: string
  readonly strategyTables: ReadonlyArray<string>
  readonly strategyAttempts: number
  readonly classified: string
}

const runSmoke = async (node: string, dir: string, program: string): Promise<SmokeReport> => {
  const result = await ok(run(node, [program], dir), `${node} ${program}`)
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as SmokeReport
}

// One throttle retried through the service layer, a ValidationException typed as FatalError (the same class the
// user imports), a plain SDK client retried by the RetryStrategy adapter, and an SDK error classified.
const expected: SmokeReport = {
  tables: ["after-effect"],
  retried: 1,
  fatalTag: "FatalError",
  fatalIsFatalError: true,
  fatalCode: "ValidationException",
  strategyTables: ["after-strategy"],
  strategyAttempts: 2,
  classified: "TransientError"
}

describe("the packed packages", () => {
  it("ship only what runs: built JavaScript and declarations of real sources, README, CHANGELOG, LICENSE", async () => {
    const license = fs.readFileSync(path.join(workspace, "LICENSE"), "utf8")
    expect(license).toContain("Apache License\n                           Version 2.0, January 2004")
    for (const { dir, manifest, tarball } of await packed()) {
      const entries = await tarEntries(tarball)
      const extra = entries.filter((entry) => {
        if (["package.json", "LICENSE", "README.md", "CHANGELOG.md"].includes(entry)) return false
        const stem = /^dist\/(.+)\.(?:js|d\.ts)$/.exec(entry)?.[1]
        return stem === undefined || !fs.existsSync(path.join(dir, "src", `${stem}.ts`))
      })
      expect({ package: manifest.name, extra }).toEqual({ package: manifest.name, extra: [] })
      for (const file of ["package.json", "LICENSE", "README.md", "CHANGELOG.md"]) expect(entries).toContain(file)
      expect(await tarFile(tarball, "LICENSE")).toBe(license)

      const published = JSON.parse(await tarFile(tarball, "package.json")) as Manifest
      expect(JSON.stringify(published)).not.toMatch(/@rebound\/source|workspace:/)
      const targets = Object.values(published.exports).flatMap((conditions) => Object.values(conditions))
      for (const target of targets) expect(entries).toContain(target.replace(/^\.\//, ""))
    }
  })

  it("install with npm next to Effect 3.22 and client-dynamodb only, with one copy of effect and of @smithy/core", async () => {
    const { dir, output } = await installed()
    expect(installProblems(output)).toEqual([])
    const tree = (await ok(run("npm", ["ls", "effect"], dir), "npm ls effect")).stdout
    console.log(`npm ls effect, in the fresh project:\n${tree}`)
    expect(new Set(tree.match(/effect@\d+\.\d+\.\d+/g))).toEqual(new Set([`effect@${core.devDependencies!.effect}`]))
    // The Smithy runtime rebound calls is the one the user's client brought.
    const smithy = (await ok(run("npm", ["ls", "@smithy/core"], dir), "npm ls @smithy/core")).stdout
    expect(new Set(smithy.match(/@smithy\/core@\d+\.\d+\.\d+/g)).size).toBe(1)
    // Every peer satisfied, nothing invalid or missing in the whole tree.
    await ok(run("npm", ["ls", "--all"], dir), "npm ls --all")
    for (const client of ["@aws-sdk/client-s3", "@aws-sdk/client-lambda"]) {
      expect(fs.existsSync(path.join(dir, "node_modules", client))).toBe(false)
    }
  })

  it("type-check from ESM and CommonJS under NodeNext, Bundler and node10 resolution", async () => {
    for (const result of await compiled()) expect(result).toEqual({ mode: result.mode, status: 0, output: "" })
  })

  it("run from ESM and from CommonJS on Node 20", async () => {
    const { dir } = await installed()
    expect((await compiled())[0]).toEqual({ mode: "nodenext", status: 0, output: "" })
    expect(await runSmoke(process.execPath, dir, "out/esm.mjs")).toEqual(expected)
    expect(await runSmoke(process.execPath, dir, "out/cjs.cjs")).toEqual(expected)
  })

  it("install and run from ESM and from CommonJS on Node 22", async () => {
    const node = await nodeBinary(node22Version)
    expect((await ok(run(node, ["--version"], root()), "node --version")).stdout.trim()).toBe(`v${node22Version}`)
    const dir = path.join(root(), "node22")
    const result = await ok(npmProject(dir, userSpecs(await tarballs()), node), "npm install (Node 22)")
    expect(installProblems(result.stdout + result.stderr)).toEqual([])
    expect((await compiled())[0]).toEqual({ mode: "nodenext", status: 0, output: "" })
    fs.cpSync(path.join((await installed()).dir, "out"), path.join(dir, "out"), { recursive: true })
    expect(await runSmoke(node, dir, "out/esm.mjs")).toEqual(expected)
    expect(await runSmoke(node, dir, "out/cjs.cjs")).toEqual(expected)
  })

  it("refuse to install next to Effect 4, naming the supported range", async () => {
    const dir = path.join(root(), "effect4")
    const specs = userSpecs(await tarballs()).map((spec) => spec.startsWith("effect@") ? "effect@4" : spec)
    const result = await npmProject(dir, specs)
    const output = result.stdout + result.stderr
    console.log(`npm install next to effect@4:\n${output}`)
    expect(result.status).not.toBe(0)
    expect(output).toContain("ERESOLVE")
    expect(output).toContain(`peer effect@"${effectRange}" from ${core.name}@${core.version}`)
  })
})
