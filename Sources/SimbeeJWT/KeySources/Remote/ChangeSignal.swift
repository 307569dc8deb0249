import NIOConcurrencyHelpers

/// Wakes a background service loop early: the loop sleeps until its next due time or until
/// something it depends on changes (a fetch or an exchange completed, a token was dropped),
/// whichever comes first. Used by ``RemoteJWKS`` and the token client's provider.
package final class ChangeSignal: Sendable {
    private struct State {
        var changes: UInt64 = 0
        var sleepers: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    package init() {}

    /// Records a change and wakes every sleeping loop.
    package func signal() {
        let sleepers = state.withLockedValue { state in
            state.changes += 1
            defer { state.sleepers.removeAll() }
            return Array(state.sleepers.values)
        }
        for sleeper in sleepers { sleeper.resume() }
    }

    /// Sleeps for `delay` on `time`, or until the next ``signal()``, whichever comes first.
    ///
    /// - Returns: `false` when the task was cancelled.
    package func sleep(_ delay: Duration, on time: MonotonicTime) async -> Bool {
        let changes = state.withLockedValue { $0.changes }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await time.sleep(delay) }
            group.addTask { await self.waitForChange(after: changes) }
            await group.next()
            group.cancelAll()
        }
        return !Task.isCancelled
    }

    /// Suspends until a change after the `changes`-th one, or until the task is cancelled.
    private func waitForChange(after changes: UInt64) async {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.changes > changes || Task.isCancelled { return true }
                    state.sleepers[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.sleepers.removeValue(forKey: id) }?.resume()
        }
    }
}
