import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import type * as AwsAsync from "../AwsAsync.js"

const abortError = (signal: AbortSignal | undefined): unknown =>
  signal?.reason instanceof Error ?
    signal.reason :
    Object.assign(new Error("The operation was aborted"), { name: "AbortError" })

/** The typed failure itself, not a `FiberFailure` around it. */
const rejection = (cause: Cause.Cause<unknown>, signal: AbortSignal | undefined): unknown => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return failure.value
  if (Cause.isInterruptedOnly(cause)) return abortError(signal)
  return Cause.squash(cause)
}

const disposedError = () =>
  Object.assign(new Error("AwsAsync: this runtime was disposed; its services and SDK clients are closed"), {
    name: "RuntimeDisposed"
  })

/** @internal */
export const make = async <ROut, E>(
  layer: Layer.Layer<ROut, E>
): Promise<AwsAsync.AwsRuntime<ROut>> => {
  const managed = ManagedRuntime.make(layer)
  const built = await managed.runPromiseExit(Effect.runtime<ROut>())
  if (Exit.isFailure(built)) {
    await managed.dispose()
    throw rejection(built.cause, undefined)
  }
  const runtime = built.value
  let disposed = false
  const runExit = Runtime.runPromiseExit(runtime)
  return {
    runtime,
    run: async (effect, options) => {
      if (disposed) throw disposedError()
      const signal = options?.signal
      const exit = await runExit(effect, signal !== undefined ? { signal } : undefined)
      if (Exit.isSuccess(exit)) return exit.value
      throw rejection(exit.cause, signal)
    },
    iterate: (stream) => {
      if (disposed) throw disposedError()
      return Stream.toAsyncIterableRuntime(stream, runtime)
    },
    dispose: async () => {
      if (disposed) return
      disposed = true
      await managed.dispose()
    }
  }
}

/** @internal */
export const makeAll = <ROut, E>(layers: ReadonlyArray<Layer.Layer<ROut, E>>) =>
  make(layers.length === 1 ? layers[0]! : Layer.mergeAll(...(layers as [Layer.Layer<ROut, E>])))
