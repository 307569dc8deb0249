import Foundation
import Testing

/// `simbee-jwt verify` as a long-running filter: 100,000 lines through one process, one result line
/// per input line, with the process's peak resident memory (`VmHWM` in `/proc/<pid>/status`) read
/// while it is still running, after 100, 10,000 and 100,000 lines.
///
/// The tool's verified-token cache holds at most 10,000 tokens (the default), so after 10,000 valid
/// tokens it is full; memory that keeps growing past that point would mean an unbounded cache or a
/// leak. Garbage is never cached, and an overlong line is consumed without being held.
@Suite("simbee-jwt verify: 100,000-line streams")
struct CLIStreamTests {
    static let lineCount = 100_000
    static let checkpoints = [100, 10_000, lineCount]
    /// Set by `Scripts/sanitizers.sh`: AddressSanitizer's quarantine holds freed memory (hundreds of
    /// MB), so resident memory says nothing about the tool's own bounds there; the per-line results
    /// are still checked.
    static let underSanitizer = ProcessInfo.processInfo.environment["SIMBEE_SANITIZER"] != nil

    @Test("100,000 lines of garbage: one refusal each with the expected code; peak memory flat")
    func garbageStream() async throws {
        let fixture = try CLITests.token("es256-valid")
        let run = try await offloaded {
            let garbage = GarbageLines(validToken: fixture)
            return try Self.stream(CLITests.baseArguments, lineCount: Self.lineCount) { garbage.line($0) }
        }
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.lines.count == Self.lineCount)
        var mismatches: [String] = []
        for (index, line) in run.lines.enumerated() {
            let expected = GarbageLines.expectedCode(index)
            if !line.hasPrefix(#"{"valid":false,"error":"\#(expected)","message":"#), mismatches.count < 10 {
                mismatches.append(
                    "line \(index) (\(GarbageLines.Kind(index))): expected \(expected), got \(line.prefix(120))"
                )
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        let peaks = run.peakKilobytes
        print("garbage stream: VmHWM after 100 / 10k / 100k lines: \(peaks) kB")
        // Past line 10,000 come a 10 MB line and a 1,000,000-dot line among 90,000 others: holding
        // either, or anything per line, would raise the peak by megabytes.
        if !Self.underSanitizer {
            #expect(peaks[2] - peaks[1] < 4 * 1024, "peak grew from \(peaks[1]) to \(peaks[2]) kB")
        }
    }

    @Test("100,000 distinct valid tokens (ES256 and EdDSA): all verify, in order; peak memory flat")
    func validStream() async throws {
        let minters = [
            try TokenMinter(.es256A), try TokenMinter(.es256B), try TokenMinter(.es256A), try TokenMinter(.ed25519A),
        ]
        let run = try await offloaded {
            try Self.stream(CLITests.baseArguments, lineCount: Self.lineCount) { index in
                let payload =
                    #"{"iss":"https://api.simbee.io","sub":"cu_stream","aud":"cl_fixture","iat":1795999940,"exp":1796000840,"jti":"stream-\#(index)"}"#
                return Array(try minters[index % minters.count].token(payload: payload).utf8)
            }
        }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.count == Self.lineCount)
        var mismatches: [String] = []
        for (index, line) in run.lines.enumerated() {
            let key = minters[index % minters.count].key
            let prefix = #"{"valid":true,"alg":"\#(key.algorithm)","kid":"\#(key.keyID)","claims":{"#
            if !line.hasPrefix(prefix) || !line.contains(#""jti":"stream-\#(index)"}"#), mismatches.count < 10 {
                mismatches.append("line \(index): \(line.prefix(200))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        let peaks = run.peakKilobytes
        print("valid stream: VmHWM after 100 / 10k / 100k lines: \(peaks) kB")
        // The cache fills during the first 10,000 tokens; the next 90,000 only replace entries.
        let filling = peaks[1] - peaks[0]
        let after = peaks[2] - peaks[1]
        if !Self.underSanitizer {
            #expect(after < max(filling / 2, 8 * 1024), "10k→100k grew \(after) kB; 100→10k grew \(filling) kB")
        }
    }

    // MARK: Running a stream

    struct StreamRun {
        var status: Int32
        var lines: [Substring]
        var stderr: String
        /// `VmHWM` of the tool, in kB, once its output had reached each of ``checkpoints``.
        var peakKilobytes: [Int]
    }

    /// Starts the tool, writes `lineCount` lines made by `line` to its standard input in batches,
    /// and samples its peak memory each time its output reaches a checkpoint. Blocking: call it
    /// through `offloaded`.
    static func stream(
        _ arguments: [String],
        lineCount: Int,
        line: (Int) throws -> [UInt8]
    ) throws -> StreamRun {
        let tool = try ToolProcess(arguments)
        let (process, input, output, errors) = (tool.process, tool.input, tool.output, tool.errors)
        let collector = LineCollector()
        let errorText = LineCollector()
        let readers = [
            BlockingThread { collector.drain(output.fileHandleForReading) },
            BlockingThread { errorText.drain(errors.fileHandleForReading) },
        ]
        var inputOpen = true
        defer {
            if inputOpen { try? input.fileHandleForWriting.close() }
            process.waitUntilExit()
            readers.forEach { $0.join() }
        }

        var peaks: [Int] = []
        var next = 0
        var batch: [UInt8] = []
        for checkpoint in checkpoints where checkpoint <= lineCount {
            while next < checkpoint {
                batch += try line(next)
                batch.append(UInt8(ascii: "\n"))
                next += 1
                if batch.count >= 1 << 16 || next == checkpoint {
                    input.fileHandleForWriting.write(Data(batch))
                    batch.removeAll(keepingCapacity: true)
                }
            }
            guard collector.wait(forLines: checkpoint, seconds: 900) else {
                process.terminate()
                throw StreamFailure(description: "only \(collector.lineCount) result lines after \(checkpoint) inputs")
            }
            peaks.append(try peakResidentKilobytes(of: process.processIdentifier))
        }
        try input.fileHandleForWriting.close()
        inputOpen = false
        process.waitUntilExit()
        readers.forEach { $0.join() }
        let text = String(decoding: collector.bytes, as: UTF8.self)
        return StreamRun(
            status: process.terminationStatus,
            lines: Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()),
            stderr: String(decoding: errorText.bytes, as: UTF8.self),
            peakKilobytes: peaks
        )
    }

    struct StreamFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// `VmHWM` (peak resident set size) of a running process, in kB.
    static func peakResidentKilobytes(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:\t    1740 kB"
            if let value = Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") {
                return value
            }
        }
        throw StreamFailure(description: "no VmHWM in /proc/\(pid)/status")
    }
}

/// Collects a pipe's bytes on a reader thread and lets another thread wait for a line count.
private final class LineCollector: @unchecked Sendable {
    // @unchecked Sendable: every stored property is read and written under `condition`.
    private let condition = NSCondition()
    private var data: [UInt8] = []
    private var newlines = 0
    private var finished = false

    func drain(_ handle: FileHandle) {
        while true {
            let chunk = handle.availableData
            condition.lock()
            if chunk.isEmpty {
                finished = true
            } else {
                data += chunk
                newlines += chunk.withUnsafeBytes { raw in raw.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }
            }
            condition.broadcast()
            condition.unlock()
            if chunk.isEmpty { return }
        }
    }

    /// Waits until `count` lines arrived (or the stream ended); returns whether they did.
    func wait(forLines count: Int, seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while newlines < count, !finished {
            if !condition.wait(until: deadline) { break }
        }
        return newlines >= count
    }

    var lineCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return newlines
    }

    var bytes: [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        return data
    }
}

/// Hostile input lines, each of a kind whose refusal code is known, from a fixed seed.
private struct GarbageLines: Sendable {
    enum Kind {
        case empty, nulBytes, invalidUTF8, bearerPrefix, randomBytes, dots, whitespace
        case unknownKid, badSignature, flippedSignature
        case justUnderLimit, justOverLimit, tenMegabytes, millionDots

        /// Ten kinds in rotation; fixed indices for the large ones (two of them past line 10,000).
        init(_ index: Int) {
            switch index {
            case 50_000: self = .tenMegabytes
            case 60_000: self = .millionDots
            case _ where index % 997 == 0: self = .justOverLimit
            case _ where index % 991 == 0: self = .justUnderLimit
            default:
                let rotation: [Kind] = [
                    .empty, .nulBytes, .invalidUTF8, .bearerPrefix, .randomBytes, .dots, .whitespace, .unknownKid,
                    .badSignature, .flippedSignature,
                ]
                self = rotation[index % rotation.count]
            }
        }

        var code: String {
            switch self {
            case .unknownKid: "unknown_key"
            case .badSignature, .flippedSignature: "invalid_signature"
            case .justOverLimit, .tenMegabytes, .millionDots: "token_too_large"
            default: "malformed"
            }
        }
    }

    static func expectedCode(_ index: Int) -> String { Kind(index).code }

    let validToken: String
    private let header: String
    private let payload: String
    private let signature: [UInt8]

    init(validToken: String) {
        self.validToken = validToken
        let parts = validToken.split(separator: ".").map(String.init)
        header = parts[0]
        payload = parts[1]
        signature = Array(Data(base64Encoded: Self.padded(parts[2])) ?? Data())
    }

    func line(_ index: Int) -> [UInt8] {
        var random = SplitMix64(seed: UInt64(index))
        func bytes(_ count: Int, from range: ClosedRange<UInt8>) -> [UInt8] {
            (0..<count).map { _ in UInt8.random(in: range, using: &random) }
        }
        switch Kind(index) {
        case .empty:
            return []
        case .nulBytes:
            return bytes(Int.random(in: 1...64, using: &random), from: 0...0) + Array(validToken.utf8.prefix(20))
        case .invalidUTF8:
            // Lone continuation bytes, overlong forms, surrogates and 0xFE/0xFF around a token.
            let bad: [[UInt8]] = [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFE], [0xFF], [0xC3]]
            return Array(validToken.utf8) + bad[index / 10 % bad.count]
        case .bearerPrefix:
            return Array(("Bearer " + validToken).utf8)
        case .randomBytes:
            // Anything but a newline, with one "!" so that no segment can be base64url.
            var line = bytes(Int.random(in: 1...300, using: &random), from: 0...255).map { $0 == 0x0A ? 0x2E : $0 }
            line.insert(UInt8(ascii: "!"), at: Int.random(in: 0...line.count, using: &random))
            return line
        case .dots:
            return [UInt8](repeating: UInt8(ascii: "."), count: Int.random(in: 1...2_000, using: &random))
        case .whitespace:
            let forms = [
                " " + validToken, validToken + " ", validToken + "\t", validToken + "\r\r", "\u{A0}" + validToken,
            ]
            return Array(forms[index / 10 % forms.count].utf8)
        case .unknownKid:
            let forged = Self.base64URL(Array(#"{"alg":"ES256","kid":"nope-\#(index)"}"#.utf8))
            return Array((forged + "." + payload + "." + Self.base64URL(bytes(64, from: 0...255))).utf8)
        case .badSignature:
            return Array((header + "." + payload + "." + Self.base64URL(bytes(64, from: 0...255))).utf8)
        case .flippedSignature:
            var flipped = signature
            let bit = Int.random(in: 0..<(64 * 8), using: &random)
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            return Array((header + "." + payload + "." + Self.base64URL(flipped)).utf8)
        case .justUnderLimit:
            return [UInt8](repeating: UInt8(ascii: "A"), count: 16_384)
        case .justOverLimit:
            return [UInt8](repeating: UInt8(ascii: "A"), count: 16_385)
        case .tenMegabytes:
            return Array((String(repeating: "A", count: 10_000_000 - validToken.utf8.count) + validToken).utf8)
        case .millionDots:
            return [UInt8](repeating: UInt8(ascii: "."), count: 1_000_000)
        }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        TokenMinter.base64URL(bytes)
    }

    static func padded(_ text: String) -> String {
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return standard + String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
    }
}

/// A small seeded generator (SplitMix64) so that every garbage line can be rebuilt from its index.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
