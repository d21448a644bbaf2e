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
