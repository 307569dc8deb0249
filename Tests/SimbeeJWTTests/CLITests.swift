import Foundation
import Testing

/// `simbee-jwt` end to end: the built binary run as a process, as users and pipelines run it.
@Suite("simbee-jwt command line")
struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [[String: Any]] {
            stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) ?? ["unparsable": String($0)]
            }
        }
        /// Each line as `"valid"` or its error code.
        var verdicts: [String] {
            lines.map { ($0["valid"] as? Bool) == true ? "valid" : ($0["error"] as? String ?? "?") }
        }
    }

    /// The tool next to the test bundle (SwiftPM builds every product before testing).
    static let binary: URL = {
        let executable = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
        )
        return executable.deletingLastPathComponent().appendingPathComponent("simbee-jwt")
    }()

    static let jwks = TestSupport.fixtures.appendingPathComponent("jwks/simbee.jwks.json").path
    static let baseArguments = [
        "verify", "--jwks", jwks, "--issuer", "https://api.simbee.io", "--audience", "cl_fixture", "--now",
        "1796000000",
    ]

    /// Runs the tool to completion on a dispatch thread: waiting for a process must not block the
    /// cooperative threads the other (concurrently running) tests need.
    static func run(
        _ arguments: [String],
        stdin: Data = Data(),
        executable: URL = binary,
        environment: [String: String]? = nil
    ) async throws -> Run {
        try await offloaded {
            try runBlocking(arguments, stdin: stdin, executable: executable, environment: environment)
        }
    }

    private static func runBlocking(
        _ arguments: [String],
        stdin: Data,
        executable: URL,
        environment: [String: String]?
    ) throws -> Run {
        let tool = try ToolProcess(arguments, executable: executable, environment: environment)
        let (process, input, output, errors) = (tool.process, tool.input, tool.output, tool.errors)
        // Read both streams concurrently so a full pipe never blocks the tool.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let readers = [
            BlockingThread { outData = output.fileHandleForReading.readDataToEndOfFile() },
            BlockingThread { errData = errors.fileHandleForReading.readDataToEndOfFile() },
        ]
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        readers.forEach { $0.join() }
        return Run(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }

    static func token(_ name: String) throws -> String {
        try #require(try TestSupport.manifest().cases.first { $0.name == name }).token
    }

    @Test("the built tool exists")
    func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "\(Self.binary.path)")
    }

    @Test("stdin: every valid fixture token verifies, one JSON line each, exit 0")
    func verifiesValidFile() async throws {
        let file = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("tokens/valid.txt"))
        let expected = file.split(separator: UInt8(ascii: "\n")).count
        let run = try await Self.run(Self.baseArguments, stdin: file)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.lines
        #expect(lines.count == expected)
        for line in lines {
            #expect(line["valid"] as? Bool == true)
            #expect(["ES256", "EdDSA", "Ed25519"].contains(line["alg"] as? String ?? ""))
            let claims = line["claims"] as? [String: Any]
            #expect(claims?["sub"] as? String == "cu_fixture1")
        }
        #expect(lines.first?["kid"] as? String == "es256-a")
        // Skipped keys are reported on stderr, one warning each, without failing the run.
        #expect(run.stderr.contains("kid \"rsa-1\") skipped"))
        #expect(run.stderr.contains("kid \"ed25519-identity\") skipped: Ed25519 key is of small order"))
    }

    @Test("stdin: a mixed stream gets one verdict per line in order, exit 1")
    func mixedStream() async throws {
        let file = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("tokens/mixed.txt"))
        let run = try await Self.run(Self.baseArguments, stdin: file)
        #expect(run.status == 1)
        #expect(run.verdicts == ["valid", "expired", "valid", "invalid_signature", "valid", "audience_mismatch"])
        for line in run.lines where line["valid"] as? Bool == false {
            #expect(line["message"] is String)
            #expect(line["claims"] == nil)
        }
    }

    @Test("a TOKEN argument verifies that token alone")
    func tokenArgument() async throws {
        let valid = try await Self.run(Self.baseArguments + [try Self.token("eddsa-valid")])
        #expect(valid.status == 0)
        #expect(valid.lines.count == 1)
        #expect(valid.lines.first?["alg"] as? String == "EdDSA")
        #expect(valid.lines.first?["kid"] as? String == "ed25519-a")

        let expired = try await Self.run(Self.baseArguments + [try Self.token("es256-expired")])
        #expect(expired.status == 1)
        #expect(expired.lines.first?["error"] as? String == "expired")
    }

    @Test("line endings: \\n and \\r\\n are removed, nothing else is trimmed; empty lines are refused")
    func lineHandling() async throws {
        let token = try Self.token("es256-valid")
        let input = Data("\(token)\r\n\(token) \n\n \(token)\n\(token)".utf8)
        let run = try await Self.run(Self.baseArguments + ["-"], stdin: input)
        #expect(run.verdicts == ["valid", "malformed", "malformed", "malformed", "valid"])
        #expect(run.status == 1)
    }

    @Test("an oversized line is refused as token_too_large without stopping the stream, and makes exit 1")
    func oversizedLine() async throws {
        let token = try Self.token("es256-valid")
        let input = Data((String(repeating: "a", count: 100_000) + "\n" + token + "\n").utf8)
        let run = try await Self.run(Self.baseArguments, stdin: input)
        #expect(run.verdicts == ["token_too_large", "valid"])
        // The refused line counts: exit 1, though the token after it verifies.
        #expect(run.status == 1, "\(run.stderr)")
    }

    @Test("results are written as each line arrives (works in a pipeline)")
    func streamsResults() async throws {
        let token = try Self.token("es256-valid")
        try await offloaded { try Self.streamsResultsBlocking(token: token) }
    }

    private static func streamsResultsBlocking(token: String) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = Self.baseArguments
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data((token + "\n").utf8))
        // stdin stays open: the first result must arrive anyway.
        nonisolated(unsafe) var firstLine = Data()
        let reader = BlockingThread {
            while !firstLine.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                firstLine.append(chunk)
            }
        }
        let arrived = reader.join(seconds: 60)
        #expect(arrived, "no result line while stdin was still open")
        #expect(String(decoding: firstLine, as: UTF8.self).hasPrefix("{\"valid\":true"))
    }

    @Test("--type and --require extend the policy")
    func typeAndRequire() async throws {
        let typed = try await Self.run(Self.baseArguments + ["--type", "at+jwt", try Self.token("typ-at-jwt-valid")])
        #expect(typed.status == 0)
        let wrongType = try await Self.run(Self.baseArguments + ["--type", "at+jwt", try Self.token("es256-valid")])
        #expect(wrongType.lines.first?["error"] as? String == "invalid_claim")
        let needsSub = try await Self.run(
            Self.baseArguments + ["--require", "sub", try Self.token("require-sub-missing")]
        )
        #expect(needsSub.lines.first?["error"] as? String == "missing_claim")
    }

    @Test("--algorithm restricts the allow-list")
    func algorithmFlag() async throws {
        let run = try await Self.run(Self.baseArguments + ["--algorithm", "ES256", try Self.token("eddsa-valid")])
        #expect(run.status == 1)
        #expect(run.lines.first?["error"] as? String == "algorithm_not_allowed")
    }

    @Test("--leeway and --now move the expiry boundary")
    func leewayAndNow() async throws {
        // es256-exp-in-leeway expired 30 s before the manifest's now.
        let token = try Self.token("es256-exp-in-leeway")
        let strict = Self.baseArguments + ["--leeway", "0", token]
        #expect(try await Self.run(strict).lines.first?["error"] as? String == "expired")
        let lenient = Self.baseArguments + ["--leeway", "60", token]
        #expect(try await Self.run(lenient).status == 0)
    }

    @Test(
        "usage and setup errors exit 2 with a message on stderr and nothing on stdout",
        arguments: [
            ["verify"],
            ["verify", "--jwks"],
            ["verify", "--jwks", "/nonexistent/jwks.json", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/not-json.jwks.json", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/unusable.jwks.json", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/empty.jwks.json", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/simbee.jwks.json", "--algorithm", "HS256", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/simbee.jwks.json", "--leeway", "1000", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/simbee.jwks.json", "--leeway", "abc", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/simbee.jwks.json", "--issuer", "", "x"],
            ["verify", "--jwks", "@FIXTURES/jwks/simbee.jwks.json", "--no-such-flag", "x"],
            ["frobnicate"],
        ]
    )
    func setupErrors(_ arguments: [String]) async throws {
        let resolved = arguments.map { $0.replacingOccurrences(of: "@FIXTURES", with: TestSupport.fixtures.path) }
        let run = try await Self.run(resolved)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(!run.stderr.isEmpty)
    }

    @Test("--help exits 0")
    func help() async throws {
        let run = try await Self.run(["verify", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("--jwks"))
    }

    @Test("decode prints header and payload marked unverified")
    func decode() async throws {
        let run = try await Self.run(["decode", try Self.token("es256-wrong-key")])
        #expect(run.status == 0)
        let line = try #require(run.lines.first)
        #expect(line["verified"] as? Bool == false)
        #expect((line["header"] as? [String: Any])?["kid"] as? String == "es256-a")
        #expect((line["payload"] as? [String: Any])?["sub"] as? String == "cu_fixture1")

        let garbage = try await Self.run(["decode", "not-a-token"])
        #expect(garbage.status == 1)
        #expect(garbage.lines.first?["error"] as? String == "malformed")
    }

    @Test("--verbose adds the claims of a rejected token, marked unverified; nothing without it or for garbage")
    func verboseRejections() async throws {
        let manifest = try TestSupport.manifest()
        func token(_ name: String) throws -> String { try #require(manifest.cases.first { $0.name == name }).token }
        let input =
            [try token("es256-expired"), try token("es256-valid"), "not.a.token"].joined(separator: "\n") + "\n"
        let verbose = try await Self.run(Self.baseArguments + ["--verbose"], stdin: Data(input.utf8))
        #expect(verbose.status == 1)
        let lines = verbose.lines
        #expect(lines.count == 3)
        let claims = try #require(lines[0]["unverified_claims"] as? [String: Any])
        #expect(claims["jti"] as? String == "es256-expired" && claims["exp"] as? Int == 1_795_999_939)
        #expect(lines[0]["valid"] as? Bool == false && lines[0]["claims"] == nil)
        #expect(lines[1]["valid"] as? Bool == true && lines[1]["unverified_claims"] == nil)
        #expect(lines[2]["error"] as? String == "malformed" && lines[2]["unverified_claims"] == nil)
        // The line carries the payload exactly as signed, compacted.
        let segment = try #require(token("es256-expired").split(separator: ".").dropFirst().first)
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let signed = try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: base64))) as? [String: Any]
        #expect(NSDictionary(dictionary: claims).isEqual(to: try #require(signed)))

        let quiet = try await Self.run(Self.baseArguments, stdin: Data(input.utf8))
        #expect(quiet.lines.allSatisfy { $0["unverified_claims"] == nil })
    }
}
