#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few C library calls the tool makes, named once for every platform, so that no caller needs
/// a qualified `Glibc.read` to step past a method of its own with the same name.
enum SystemCall {
    /// `read(2)` into `buffer`: the count read, 0 at end of input, or -1 with `errno` set.
    static func read(_ descriptor: Int32, into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { raw in
            #if canImport(Glibc)
            Glibc.read(descriptor, raw.baseAddress, raw.count)
            #elseif canImport(Musl)
            Musl.read(descriptor, raw.baseAddress, raw.count)
            #else
            Darwin.read(descriptor, raw.baseAddress, raw.count)
            #endif
        }
    }

    /// `write(2)` of `bytes`: the count written, or -1 with `errno` set.
    static func write(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { raw in
            #if canImport(Glibc)
            Glibc.write(descriptor, raw.baseAddress, raw.count)
            #elseif canImport(Musl)
            Musl.write(descriptor, raw.baseAddress, raw.count)
            #else
            Darwin.write(descriptor, raw.baseAddress, raw.count)
            #endif
        }
    }

    /// Waits until `descriptor` is ready to be read (or written, with `forWriting`). For a
    /// descriptor that whoever started the tool left non-blocking: there, `read` and `write` fail
    /// with `EAGAIN` instead of waiting.
    ///
    /// - Returns: `false` when `poll(2)` itself fails, with `errno` set.
    static func waitUntilReady(_ descriptor: Int32, forWriting: Bool) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(forWriting ? POLLOUT : POLLIN), revents: 0)
        while true {
            if poll(&request, 1, -1) >= 0 { return true }
            if errno != EINTR { return false }
        }
    }

    /// Whether `errno` says a non-blocking descriptor is not ready yet.
    static var wouldBlock: Bool {
        errno == EAGAIN || errno == EWOULDBLOCK
    }

    /// Ends the process with `status`.
    static func exit(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #elseif canImport(Musl)
        Musl.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }

    /// What `errno` says, in words.
    static var errorText: String {
        String(cString: strerror(errno))
    }
}
