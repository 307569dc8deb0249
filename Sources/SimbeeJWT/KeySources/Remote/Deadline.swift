import NIOConcurrencyHelpers

/// Runs `operation` but returns (throwing `timeoutError`, by default ``JWKSFetchError/timedOut``)
/// once `timeout` of real time has passed, even if `operation` ignores cancellation: the caller is
/// released and the operation is cancelled and left to finish on its own.
package func withDeadline<Value: Sendable>(
    _ timeout: Duration,
    timeoutError: any Error = JWKSFetchError.timedOut,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let race = DeadlineRace<Value>()
    return try await withCheckedThrowingContinuation { continuation in
        race.pending.withLockedValue { $0 = continuation }
        let work = Task {
            let result: Result<Value, any Error>
            do {
                result = .success(try await operation())
            } catch {
                result = .failure(error)
            }
            race.tasks.withLockedValue { $0.timer }?.cancel()
            race.pending.withLockedValue { $0.take() }?.resume(with: result)
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled, let continuation = race.pending.withLockedValue({ $0.take() }) else { return }
            race.tasks.withLockedValue { $0.work }?.cancel()
            continuation.resume(throwing: timeoutError)
        }
        race.tasks.withLockedValue { $0 = (work, timer) }
        // A side that finished before the tasks were recorded could not cancel the other: the
        // timer would sleep out its whole timeout, or timed-out work would run on uncancelled.
        if race.pending.withLockedValue({ $0 == nil }) {
            work.cancel()
            timer.cancel()
        }
    }
}

/// The shared state of one ``withDeadline(_:_:)`` call: whichever side finishes first takes the
/// continuation.
private final class DeadlineRace<Value: Sendable>: Sendable {
    let pending = NIOLockedValueBox<CheckedContinuation<Value, any Error>?>(nil)
    let tasks = NIOLockedValueBox<(work: Task<Void, Never>?, timer: Task<Void, Never>?)>((nil, nil))
}
