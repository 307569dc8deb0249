#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole regular file, refusing one larger than a limit without reading past it.
///
/// Only a regular file is read: a FIFO, a socket, a device or a directory is refused before any
/// read, and the file is opened without blocking (`open` on a FIFO with no writer would otherwise
/// wait forever), so no path can make the tool wait without bound.
enum FileBytes {
    struct Failure: Error {
        let message: String
    }

    static func read(path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(message: SystemCall.errorText) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(message: SystemCall.errorText) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw Failure(message: "not a regular file") }
        guard Int64(status.st_size) <= Int64(limit) else {
            throw Failure(message: "file is larger than \(limit) bytes")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = SystemCall.read(descriptor, into: &chunk)
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(message: SystemCall.errorText)
            }
            bytes.append(contentsOf: chunk[..<count])
            // The file may grow after fstat.
            if bytes.count > limit { throw Failure(message: "file is larger than \(limit) bytes") }
        }
    }
}
