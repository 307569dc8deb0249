import Foundation
import Testing

@_spi(Testing) @testable import SimbeeJWT

/// `simbee-jwt verify` at its boundaries: flag and file-size bounds, URL schemes, unreadable
/// standard input and `--verbose` output, end to end through the built binary.
@Suite("simbee-jwt verify: boundaries")
struct CLIBoundaryTests {
    static let policy = ["--issuer", "https://api.simbee.io", "--audience", "cl_fixture"]
    /// The policy at the fixture tokens' time, for a run that names its own key set.
    static let policyAtFixtureTime = policy + ["--now", "1796000000"]

    @Test("--now accepts exactly 0 … 253402300799; the values just outside are setup errors")
    func nowBounds() async throws {
        let token = try CLITests.token("es256-valid")
        let jwks = ["verify", "--jwks", CLITests.jwks] + Self.policy
        // The bounds themselves are times a token is judged at: one result line, no setup error.
        for now in ["0", "253402300799"] {
            let run = try await CLITests.run(jwks + ["--now", now, token])
            #expect(run.status == 0 || run.status == 1, "--now \(now): \(run.stderr)")
            #expect(run.lines.count == 1, "--now \(now)")
        }
        // Long after the token's exp, it is judged expired.
        let late = try await CLITests.run(jwks + ["--now", "253402300799", token])
        #expect(late.lines.first?["error"] as? String == "expired")
        for now in ["--now=-0.001", "--now=253402300799.001"] {
            let run = try await CLITests.run(jwks + [now, token])
            #expect(run.status == 2, "\(now): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
    }

    @Test("a key-set file of exactly 256 KiB is read; one byte more is refused as too large (exit 2)")
    func keySetFileSizeBound() async throws {
        let document = try TestSupport.fixture("jwks/simbee.jwks.json")
        let limit = 256 * 1024
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simbee-jwt-size-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = try CLITests.token("es256-valid")
        for (size, accepted) in [(limit, true), (limit + 1, false)] {
            // Trailing whitespace keeps the document valid JSON at any size.
            let padded = document + [UInt8](repeating: UInt8(ascii: " "), count: size - document.count)
            let path = directory.appendingPathComponent("jwks-\(size).json")
            try Data(padded).write(to: path)
            let run = try await CLITests.run(
                ["verify", "--jwks", path.path] + Self.policyAtFixtureTime + [token]
            )
            if accepted {
                #expect(run.status == 0, "\(size): \(run.stderr)")
                #expect(run.lines.first?["valid"] as? Bool == true)
            } else {
                #expect(run.status == 2, "\(size): \(run.stderr)")
                #expect(run.stderr.contains("larger than \(limit) bytes"), "\(run.stderr)")
                #expect(run.stdout.isEmpty)
            }
        }
    }

    @Test("a key-set URL's scheme is case-insensitive: HTTP://127.0.0.1 is fetched, not opened as a file")
    func uppercaseSchemeIsAURL() async throws {
        let token = try CLITests.token("es256-valid")
        // Nothing listens on port 9: the token is refused for want of keys, which only a URL source says.
        for url in ["HTTP://127.0.0.1:9/jwks.json", "Http://127.0.0.1:9/jwks.json"] {
            let run = try await CLITests.run(
                ["verify", "--jwks", url, "--jwks-timeout", "5"] + Self.policyAtFixtureTime + [token]
            )
            #expect(!run.stderr.contains("cannot read JWK Set"), "\(url): \(run.stderr)")
            #expect(run.status == 1, "\(url): \(run.stderr)")
            #expect(run.lines.first?["error"] as? String == "jwks_unavailable", "\(url): \(run.stdout)")
        }
    }

    @Test("standard input that cannot be read (a directory) is exit 3 with one line on stderr, not a refusal")
    func unreadableStandardInput() async throws {
        let run = try await CLIOperatorTests.shell(
            #"""
            timeout 120 "$TOOL" verify --jwks "$JWKS" --issuer https://api.simbee.io --audience cl_fixture --now 1796000000 < /; echo "status=$?"
            """#
        )
        #expect(run.stdout == "status=3\n", "\(run.stdout) \(run.stderr)")
        let errors = CLIOperatorTests.errorLines(run.stderr)
        #expect(errors.count == 1 && errors[0].hasPrefix("simbee-jwt: cannot read standard input: "), "\(run.stderr)")
        // Near miss: a readable standard input holding the same (absent) tokens is exit 1, not 3.
        let empty = try await CLIOperatorTests.shell(
            #"""
            "$TOOL" verify --jwks "$JWKS" --issuer https://api.simbee.io --audience cl_fixture --now 1796000000 < /dev/null; echo "status=$?"
            """#
        )
        #expect(empty.stdout == "status=1\n", "\(empty.stdout) \(empty.stderr)")
    }

    @Test("--verbose adds unverified_claims only for a payload that is a JSON object; the line stays one JSON object")
    func verboseNonObjectPayloads() async throws {
        let header = #"{"alg":"ES256","kid":"es256-a"}"#
        let payloads = [#"[1,2]"#, #""text""#, "not json", "42", #"{"sub":"cu_1","a":[1, 2]}"#]
        let input = payloads.map { Kit.forge(header: header, payload: $0) }.joined(separator: "\n") + "\n"
        let run = try await CLITests.run(CLITests.baseArguments + ["--verbose"], stdin: Data(input.utf8))
        #expect(run.status == 1)
        let lines = run.lines
        #expect(lines.count == payloads.count)
        for (payload, line) in zip(payloads, lines) {
            #expect(line["unparsable"] == nil, "\(payload): \(line)")
            #expect(line["valid"] as? Bool == false, "\(payload)")
        }
        for line in lines.dropLast() { #expect(line["unverified_claims"] == nil, "\(line)") }
        // Near miss: the JSON object payload is shown, compacted.
        let claims = try #require(lines.last?["unverified_claims"] as? [String: Any])
        #expect(claims["sub"] as? String == "cu_1" && (claims["a"] as? [Int]) == [1, 2])
    }
}
