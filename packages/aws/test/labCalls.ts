// SDK calls as Effects that capture what the SDK throws, for the lab's tests.
import { Effect, Either } from "effect"

/** What the tests read from an SDK error. */
export interface SdkError {
  readonly name: string
  readonly message: string
  readonly code?: string
  readonly $fault?: string
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string }
  readonly $response?: { readonly headers: Readonly<Record<string, string>> }
  readonly Reason?: string
  readonly retryAfterSeconds?: string
}

/** Runs an SDK call, interrupting it with the fiber. */
export const call = <A>(f: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => e as SdkError })

/** Runs an SDK call that must fail, and returns its error. */
export const failure = <A>(f: (signal: AbortSignal) => Promise<A>) => Effect.flip(call(f))

/** Runs an SDK call and says whether it succeeded or how it failed. */
export const outcome = <A>(f: (signal: AbortSignal) => Promise<A>) => Effect.either(call(f))

/** The error name of each failed call, `"ok"` for each success. */
export const names = (results: ReadonlyArray<Either.Either<unknown, SdkError>>) =>
  results.map((r) => Either.isLeft(r) ? r.left.name : "ok")
