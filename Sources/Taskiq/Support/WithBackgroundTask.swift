/// Runs `operation` with `background` beside it as a child task: when `operation` returns,
/// `background` is cancelled and awaited, so nothing outlives the call.
///
/// For work that only serves the operation while it runs, such as a progress display.
package func withBackgroundTask<Result: Sendable>(
    _ background: @escaping @Sendable () async -> Void, operation: () async -> Result
) async -> Result {
    await withTaskGroup(of: Void.self) { group in
        group.addTask(operation: background)
        let result = await operation()
        group.cancelAll()
        return result
    }
}
