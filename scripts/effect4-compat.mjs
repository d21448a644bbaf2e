// What supporting Effect 4 would take, measured rather than guessed: installs `effect@4` (and the same AWS and Smithy
// versions the workspace pins) into a scratch project under the temporary directory, copies the sources of
// @rebound/core and @rebound/aws there, compiles them with the workspace's TypeScript and settings, and prints the
// errors grouped by kind of change, with counts. docs/compatibility.md reports one run of it.
//
//   node scripts/effect4-compat.mjs [effect version, default 4] [--raw]
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const version = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "4"
const raw = process.argv.includes("--raw")
const read = (file) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"))
const aws = read("packages/aws/package.json").devDependencies
const types = read("package.json").devDependencies["@types/node"]

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rebound-effect4-"))
fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "effect4", private: true, type: "module" }))
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k)))
execFileSync("npm", [
  "install",
  "--no-audit",
  "--no-fund",
  "--loglevel=error",
  `effect@${version}`,
  // The platform packages of Effect 4's line, for the lab's HTTP server and child process.
  `@effect/platform-node@${version}`,
  ...["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/client-lambda", "@smithy/core", "@smithy/types"]
    .map((name) => `${name}@${aws[name]}`),
  `@types/node@${types}`
], { cwd: dir, env, stdio: ["ignore", "ignore", "inherit"] })
const installed = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "effect", "package.json"), "utf8")).version

for (const name of ["core", "aws"]) {
  fs.cpSync(path.join(root, "packages", name, "src"), path.join(dir, name), { recursive: true })
}
const base = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.base.json"), "utf8")).compilerOptions
const { composite: _c, incremental: _i, declaration: _d, declarationMap: _m, sourceMap: _s, plugins: _p, ...options } =
  base
fs.writeFileSync(
  path.join(dir, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      ...options,
      noEmit: true,
      noUnusedLocals: false,
      noUnusedParameters: false,
      paths: { "@rebound/core": ["./core/index.ts"], "@rebound/core/*": ["./core/*.ts"] }
    },
    include: ["core", "aws"]
  })
)
const tsc = spawnSync(path.join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json", "--pretty", "false"], {
  cwd: dir,
  encoding: "utf8"
})
const diagnostics = tsc.stdout.split("\n")
  .map((line) => /^(core|aws)\/(.+?)\(\d+,\d+\): error TS(\d+): (.*)$/.exec(line))
  .filter((m) => m !== null)
  .map(([, pkg, file, code, message]) => ({ pkg, file, code: Number(code), message }))

const moduleOf = (message) => /typeof import\("[^"]*\/effect\/dist\/([\w/]+)"/.exec(message)?.[1]
const kinds = {
  "modules removed or moved": [],
  "exports removed or renamed": [],
  "changed signatures and types": [],
  "knock-on errors (types lost upstream)": []
}
for (const d of diagnostics) {
  if (d.code === 2307) {
    kinds["modules removed or moved"].push({ ...d, key: /Cannot find module '([^']+)'/.exec(d.message)[1] })
  } else if ((d.code === 2339 || d.code === 2551) && moduleOf(d.message)) {
    const member = /Property '([^']+)'/.exec(d.message)[1]
    kinds["exports removed or renamed"].push({ ...d, key: `${moduleOf(d.message)}.${member}` })
  } else if (d.code === 2694 || d.code === 2305) {
    const m = /"(?:[^"]*\/effect\/dist\/|effect\/)?([^"]+)"' has no exported member '([^']+)'/.exec(d.message)
    kinds["exports removed or renamed"].push({ ...d, key: m ? `${m[1]}.${m[2]}` : d.message })
  } else if (d.code === 7006 || d.code === 18046 || / on type '(never|\{\})'/.test(d.message)) {
    kinds["knock-on errors (types lost upstream)"].push({ ...d, key: `TS${d.code}` })
  } else {
    kinds["changed signatures and types"].push({ ...d, key: `TS${d.code}` })
  }
}

const files = new Set(diagnostics.map((d) => `${d.pkg}/${d.file}`))
const inPackage = (list, pkg) => list.filter((d) => d.pkg === pkg).length
const perPackage = `core ${inPackage(diagnostics, "core")}, aws ${inPackage(diagnostics, "aws")}`
console.log(`effect@${installed}: ${diagnostics.length} errors in ${files.size} files (${perPackage})\n`)
console.log("| kind of change | errors | distinct | core | aws |\n| --- | --- | --- | --- | --- |")
for (const [kind, list] of Object.entries(kinds)) {
  const distinct = new Set(list.map((d) => d.key)).size
  console.log(`| ${kind} | ${list.length} | ${distinct} | ${inPackage(list, "core")} | ${inPackage(list, "aws")} |`)
}
for (const [kind, list] of Object.entries(kinds)) {
  const byKey = new Map()
  for (const d of list) byKey.set(d.key, (byKey.get(d.key) ?? 0) + 1)
  const ranked = [...byKey].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
  console.log(`\n${kind}: ${ranked.map(([key, n]) => `${key} ×${n}`).join(", ")}`)
}
if (raw) console.log(`\n${tsc.stdout}`)
fs.rmSync(dir, { recursive: true, force: true })
