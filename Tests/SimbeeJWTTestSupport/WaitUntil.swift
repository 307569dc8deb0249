package import Testing

/// Polls `condition` every 5 ms until it holds, for effects that happen in the background (a
/// refresh, a closed connection); records an issue when it still does not hold after `timeout`.
package func waitUntil(
    timeout: Duration = .seconds(20),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
}
