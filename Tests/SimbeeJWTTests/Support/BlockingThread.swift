import Foundation

/// Blocking work (waiting for a child process, reading a pipe) on a thread of its own.
///
/// On Linux, Swift concurrency's cooperative threads and `DispatchQueue.global()` draw on the same
/// libdispatch worker pool, one thread per core. Blocking a dispatch worker therefore takes a thread
/// from every concurrently running test, and on a 2-core CI machine two such waits stall the whole
/// suite. A `Thread` is outside that pool.
final class BlockingThread: Sendable {
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` at once on a new thread.
    init(_ work: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            work()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Blocks the calling thread until the work has finished, or at most `seconds` when given;
    /// returns whether it finished (at once if it already had).
    @discardableResult
    func join(seconds: Double? = nil) -> Bool {
        let finished: Bool
        if let seconds {
            finished = done.wait(timeout: .now() + seconds) == .success
        } else {
            done.wait()
            finished = true
        }
        if finished { done.signal() }  // for the next join
        return finished
    }
}

/// Runs blocking work on a thread of its own (see ``BlockingThread``) and suspends until it is
/// done, so that no cooperative or dispatch worker thread is held.
func offloaded<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        _ = BlockingThread {
            continuation.resume(with: Result { try work() })
        }
    }
}
