#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output could not be written: the tool stops and exits with status 3.
struct OutputError: Error {
    let message: String
}

/// The tool's standard output, buffered.
///
/// Result lines collect in a buffer that is written out whenever the tool is about to wait for
/// more input (``LineReader`` calls ``flush()`` before each `read`), when it grows past 64 KiB, and
/// at exit: a pipeline consuming results line by line still sees every result before the tool
/// blocks, and a stream of tokens costs one `write` per batch rather than one per line.
///
/// A failed write (a closed pipe, a full disk, a closed descriptor) is an ``OutputError``.
/// `SIGPIPE` is ignored (``Output/prepareStandardStreams()``) so that a closed pipe is such an
/// error whatever the key source, never a silent kill.
final class BufferedOutput {
    /// Bytes queued before ``flush()`` is forced.
    private static let flushThreshold = 64 * 1024

    private var pending: [UInt8] = []

    init() {
        pending.reserveCapacity(Self.flushThreshold + 1024)
    }

    /// Queues `text` and a newline.
    ///
    /// - Throws: ``OutputError`` when the queue had to be written out and the write failed.
    func writeLine(_ text: String) throws(OutputError) {
        try writeLine { $0.append(contentsOf: text.utf8) }
    }

    /// Queues the line that `compose` appends to the queue's bytes, and a newline.
    ///
    /// - Throws: ``OutputError`` when the queue had to be written out and the write failed.
    func writeLine(_ compose: (inout [UInt8]) -> Void) throws(OutputError) {
        compose(&pending)
        pending.append(UInt8(ascii: "\n"))
        if pending.count >= Self.flushThreshold { try flush() }
    }

    /// Writes out everything queued.
    ///
    /// - Throws: ``OutputError`` when the write fails; what was queued is dropped.
    func flush() throws(OutputError) {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        if let failure = Output.writeAll(pending, to: 1) {
            throw OutputError(message: "cannot write to standard output: \(failure)")
        }
    }
}

/// Unbuffered access to the standard streams, for the tool's one-off messages.
enum Output {
    /// Ignores `SIGPIPE` and makes sure descriptors 0 and 2 are open (on `/dev/null` if they were
    /// closed), so that no file or socket the tool opens later takes their place.
    ///
    /// - Throws: ``OutputError`` when standard output is closed: no result could be reported.
    static func prepareStandardStreams() throws(OutputError) {
        signal(SIGPIPE, SIG_IGN)
        for descriptor: Int32 in [0, 2] where fcntl(descriptor, F_GETFD) == -1 {
            let null = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            if null >= 0, null != descriptor {
                dup2(null, descriptor)
                close(null)
            }
        }
        if fcntl(1, F_GETFD) == -1 {
            throw OutputError(message: "cannot write to standard output: it is closed")
        }
    }

    /// Writes `text` to standard output at once.
    ///
    /// - Throws: ``OutputError`` when the write fails.
    static func standardOutput(_ text: String) throws(OutputError) {
        if let failure = writeAll(Array(text.utf8), to: 1) {
            throw OutputError(message: "cannot write to standard output: \(failure)")
        }
    }

    /// Writes `text` to standard error at once. A failure is ignored: there is nowhere left to
    /// report it.
    static func standardError(_ text: String) {
        _ = writeAll(Array(text.utf8), to: 2)
    }

    /// Writes all of `bytes`, retrying short writes and `EINTR`, and waiting when a non-blocking
    /// descriptor is full; the error text on failure.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = SystemCall.write(descriptor, bytes[offset...])
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else if written < 0, SystemCall.wouldBlock, SystemCall.waitUntilReady(descriptor, forWriting: true) {
                continue
            } else {
                return written < 0 ? SystemCall.errorText : "nothing was written"
            }
        }
        return nil
    }
}
