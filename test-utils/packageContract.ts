import * as fs from "node:fs"
import * as path from "node:path"

interface ExportTarget {
  readonly "@rebound/source": string
  readonly types: string
  readonly default: string
}

/**
 * What a package promises: every `exports` subpath points at a real source module with matching build outputs,
 * and the package entry re-exports each public module as a namespace of the same name.
 */
export const packageContract = (packageDir: string) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
    readonly exports: Record<string, ExportTarget>
  }
  const subpaths = Object.keys(manifest.exports)
  const modules = subpaths.filter((s) => s !== "." && s !== "./testing").map((s) => s.slice(2))
  const problems: Array<string> = []
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const source = target["@rebound/source"]
    if (!fs.existsSync(path.join(packageDir, source))) problems.push(`${subpath}: ${source} does not exist`)
    const stem = source.replace(/^\.\/src\//, "").replace(/\.ts$/, "")
    if (target.types !== `./dist/${stem}.d.ts`) problems.push(`${subpath}: types should be ./dist/${stem}.d.ts`)
    if (target.default !== `./dist/${stem}.js`) problems.push(`${subpath}: default should be ./dist/${stem}.js`)
  }
  const index = fs.readFileSync(path.join(packageDir, "src", "index.ts"), "utf8")
  const reexported = [...index.matchAll(/export \* as (\w+) from "\.\/(\w+)\.js"/g)].map((m) => {
    if (m[1] !== m[2]) problems.push(`index.ts re-exports ./${m[2]}.js as ${m[1]}`)
    return m[1]!
  })
  const sourceModules = fs.readdirSync(path.join(packageDir, "src"))
    .filter((f) => /^[A-Z]\w*\.ts$/.test(f))
    .map((f) => f.replace(/\.ts$/, ""))
  return { modules: modules.sort(), reexported: reexported.sort(), sourceModules: sourceModules.sort(), problems }
}
