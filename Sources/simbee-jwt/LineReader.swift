#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input could not be read (not its end: an error such as `EIO`).
struct InputError: Error {
    let message: String
}

/// Reads lines from a file descriptor as they arrive, holding at most `maxLineBytes` of any line.
///
/// A trailing `\n` or `\r\n` is removed and nothing else is trimmed. A longer line is consumed to
/// its end but reported as ``Line/tooLong``, so a hostile input cannot make the tool hold it.
///
/// Before each `read`, which may block, it calls `beforeRead`: the tool writes out the results it
/// has buffered there.
struct LineReader {
    enum Line {
        case text(String)
        case tooLong
    }

    private let descriptor: Int32
    private let maxLineBytes: Int
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var start = 0
    private var end = 0
    private var atEOF = false
    private let beforeRead: () throws -> Void

    init(descriptor: Int32, maxLineBytes: Int, beforeRead: @escaping () throws -> Void = {}) {
        self.descriptor = descriptor
        self.maxLineBytes = maxLineBytes
        self.beforeRead = beforeRead
    }

    /// The next line, or `nil` at the end of input.
    ///
    /// - Throws: ``InputError`` when reading fails, or what `beforeRead` throws.
    mutating func next() throws -> Line? {
        var line: [UInt8] = []
        var overflow = false
        var sawAnything = false
        while true {
            if start == end {
                if try atEOF || !fill() {
                    guard sawAnything else { return nil }
                    return finish(line, overflow: overflow)
                }
            }
            sawAnything = true
            let newline = buffer[start..<end].firstIndex(of: UInt8(ascii: "\n"))
            if line.isEmpty, !overflow, let newline {
                // The usual case: the whole line is in the buffer, and becomes text without a copy
                // in between.
                defer { start = newline + 1 }
                return Self.line(buffer[start..<newline], maxLineBytes: maxLineBytes)
            }
            let chunkEnd = newline ?? end
            if !overflow {
                let room = maxLineBytes + 1 - line.count  // one extra byte for a possible \r
                if chunkEnd - start > room {
                    overflow = true
                    line.removeAll(keepingCapacity: false)
                } else {
                    line.append(contentsOf: buffer[start..<chunkEnd])
                }
            }
            if let newline {
                start = newline + 1
                return finish(line, overflow: overflow)
            }
            start = end
        }
    }

    private func finish(_ line: [UInt8], overflow: Bool) -> Line {
        overflow ? .tooLong : Self.line(line[...], maxLineBytes: maxLineBytes)
    }

    /// A line's bytes without a trailing `\r`, as text, or ``Line/tooLong``.
    private static func line(_ bytes: ArraySlice<UInt8>, maxLineBytes: Int) -> Line {
        let trimmed = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes
        guard trimmed.count <= maxLineBytes else { return .tooLong }
        return .text(String(decoding: trimmed, as: UTF8.self))
    }

    /// Reads more input; `false` at end of input.
    private mutating func fill() throws -> Bool {
        try beforeRead()
        while true {
            let count = SystemCall.read(descriptor, into: &buffer)
            if count > 0 {
                start = 0
                end = count
                return true
            }
            if count < 0 {
                if errno == EINTR { continue }
                if SystemCall.wouldBlock, SystemCall.waitUntilReady(descriptor, forWriting: false) { continue }
                throw InputError(message: "cannot read standard input: \(SystemCall.errorText)")
            }
            atEOF = true
            return false
        }
    }
}
