package import Testing

/// Polls `condition` every 5 ms until it holds, for effects that happen in the background (a
/// refresh, a closed connection); records an issue when it still does not hold after `timeout`.
///
/// The condition is checked once more after the deadline, so a poller that was itself delayed on a
/// loaded machine does not report a condition that did come true. The timeout is generous: it only
/// costs time when the test fails.
package func waitUntil(
    timeout: Duration = .seconds(60),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline { break }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
}

/// Runs `operation` in a task of high priority and returns its result with the real time it took.
///
/// For tests that bound how long an operation may hold its caller: on Linux, Swift tasks of each
/// priority run on their own pool of dispatch threads (one per core), so the operation and the
/// tasks it starts do not queue behind the hundreds of default-priority tests running at the same
/// time.
package func timed<Value: Sendable>(
    _ operation: @escaping @Sendable () async -> Value
) async -> (value: Value, elapsed: Duration) {
    await Task(priority: .high) {
        let started = ContinuousClock.now
        let value = await operation()
        return (value, ContinuousClock.now - started)
    }.value
}
