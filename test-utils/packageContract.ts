import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

interface ExportTarget {
  readonly "@rebound/source": string
  readonly types: string
  readonly default: string
}

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly main?: string
  readonly types?: string
  readonly files?: ReadonlyArray<string>
  readonly engines?: Record<string, string>
  readonly repository?: { readonly url: string; readonly directory: string }
  readonly typesVersions?: Record<string, Record<string, ReadonlyArray<string>>>
  readonly exports: Record<string, ExportTarget>
  readonly publishConfig?: { readonly exports?: Record<string, Record<string, string>> }
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
}

const readManifest = (packageDir: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as Manifest

/**
 * What a package promises: every `exports` subpath points at a real source module with matching build outputs,
 * and the package entry re-exports public modules as namespaces of the same name.
 */
export const packageContract = (packageDir: string) => {
  const manifest = readManifest(packageDir)
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

/**
 * What a published package promises to npm: the manifest it packs is the development one minus the source
 * condition, TypeScript's `node10` resolution finds every subpath, only built output ships, and Effect comes from
 * the user as a peer, never as a second copy.
 */
export const publishContract = (packageDir: string) => {
  const manifest = readManifest(packageDir)
  const problems: Array<string> = []
  const published = Object.fromEntries(
    Object.entries(manifest.exports).map((
      [subpath, target]
    ) => [subpath, { types: target.types, default: target.default }])
  )
  if (JSON.stringify(manifest.publishConfig?.exports) !== JSON.stringify(published)) {
    problems.push("publishConfig.exports should be exports without the @rebound/source condition")
  }
  const root = manifest.exports["."]
  if (manifest.main !== root?.default) problems.push(`main should be ${root?.default}`)
  if (manifest.types !== root?.types) problems.push(`types should be ${root?.types}`)
  const typesVersions = Object.fromEntries(
    Object.entries(manifest.exports).filter(([s]) => s !== ".").map(([s, target]) => [s.slice(2), [target.types]])
  )
  if (JSON.stringify(manifest.typesVersions?.["*"]) !== JSON.stringify(typesVersions)) {
    problems.push("typesVersions['*'] should map every subpath to its .d.ts (TypeScript's node10 resolution)")
  }
  for (const pattern of manifest.files ?? []) {
    if (!pattern.startsWith("dist/") && pattern !== "CHANGELOG.md") problems.push(`files ships ${pattern}`)
  }
  if (manifest.engines?.node === undefined) problems.push("engines.node is missing")
  const workspace = path.join(packageDir, "..", "..")
  if (manifest.repository?.url !== readManifest(workspace).repository?.url) {
    problems.push("repository.url should be the workspace's")
  }
  if (manifest.repository?.directory !== path.relative(workspace, packageDir)) {
    problems.push("repository.directory should name the package's folder")
  }
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
    if (
      name === "effect" || name.startsWith("@effect/") || name.startsWith("@aws-sdk/") || name.startsWith("@smithy/")
    ) {
      problems.push(`${name}@${range} is a dependency; it must be a peer so the user's copy is the only one`)
    }
  }
  for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
    const dev = manifest.devDependencies?.[name]
    if (dev === undefined) problems.push(`peer ${name} has no pinned devDependency to test it with`)
    else if (!dev.startsWith("workspace:") && !/^\d+\.\d+\.\d+$/.test(dev)) {
      problems.push(`dev ${name}@${dev} is not exact`)
    }
    if (/^\d+\.\d+\.\d+$/.test(range)) problems.push(`peer ${name}@${range} is an exact version, not a range`)
  }
  return { problems }
}

/**
 * The packages a module loads when it runs: its bare imports and those of every local module it imports, following
 * value imports only (`import type` is erased; under `verbatimModuleSyntax` every other import stays).
 */
export const runtimeImports = (file: string): ReadonlyArray<string> => {
  const seen = new Set<string>()
  const bare = new Set<string>()
  const visit = (current: string) => {
    if (seen.has(current)) return
    seen.add(current)
    const source = ts.createSourceFile(current, fs.readFileSync(current, "utf8"), ts.ScriptTarget.Latest)
    for (const statement of source.statements) {
      const specifier = (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) ||
          (ts.isExportDeclaration(statement) && !statement.isTypeOnly) ?
        statement.moduleSpecifier :
        undefined
      if (specifier === undefined || !ts.isStringLiteral(specifier)) continue
      if (specifier.text.startsWith(".")) {
        visit(path.resolve(path.dirname(current), specifier.text.replace(/\.js$/, ".ts")))
      } else {
        bare.add(specifier.text)
      }
    }
  }
  visit(file)
  return [...bare].sort()
}
