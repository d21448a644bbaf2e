import type * as RetryPolicy from "../RetryPolicy.js"

/**
 * Whose guard state a call uses, by default: its scope (one client instance, named by the shell that built it) or,
 * without one, the service label the caller gave; then the resource, so each table, bucket prefix or function has its
 * own state within the scope.
 * @internal
 */
export const defaultKey = (context: RetryPolicy.CallContext): string => {
  const owner = context.scope ?? context.service
  return context.resource === undefined ? owner : `${owner}/${context.resource}`
}

/**
 * The place a scope talks to: an instance scope is `place#n` (instance n of the process at that place — service,
 * region, endpoint), so its place is the scope without the `#n`; any other scope (a name shared on purpose) is its own
 * place. Without a scope, the `service` label.
 * @internal
 */
export const placeOf = (context: RetryPolicy.CallContext): string => {
  if (context.scope === undefined) return context.service
  const hash = context.scope.lastIndexOf("#")
  return hash > 0 && /^\d+$/.test(context.scope.slice(hash + 1)) ? context.scope.slice(0, hash) : context.scope
}

/**
 * The key of state shared by every client of the process that calls the same operation on the same resource at the
 * same place: `place/resource/operation`.
 * @internal
 */
export const processKey = (context: RetryPolicy.CallContext): string => {
  const place = placeOf(context)
  return context.resource === undefined ?
    `${place}/${context.operation}` :
    `${place}/${context.resource}/${context.operation}`
}

/** The store key of one guard for one call: `kind/name/key`. @internal */
export const guardKey = (
  kind: "breaker" | "limiter" | "budget" | "quota" | "hedge",
  guard: { readonly name: string; readonly key: ((context: RetryPolicy.CallContext) => string) | undefined },
  context: RetryPolicy.CallContext
): string => `${kind}/${guard.name}/${guard.key !== undefined ? guard.key(context) : defaultKey(context)}`

/** Whether a key belongs to a scope: its owner segment (the third) is the scope. @internal */
export const ownedBy = (scope: string) => (key: string): boolean => {
  const first = key.indexOf("/")
  const second = first < 0 ? -1 : key.indexOf("/", first + 1)
  if (second < 0) return false
  const owner = key.slice(second + 1)
  return owner === scope || owner.startsWith(`${scope}/`)
}
