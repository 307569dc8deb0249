import Foundation
import NIOConcurrencyHelpers
import SimbeeJWTTesting
import Testing

/// `simbee-jwt verify` with a JWK Set URL, against a real HTTP server on 127.0.0.1.
@Suite("simbee-jwt with a remote JWK Set")
struct CLIRemoteJWKSTests {
    static let policy = ["--audience", "cl_fixture", "--now", "1796000000"]

    static func token(_ name: String) throws -> String {
        try #require(try TestSupport.manifest().cases.first { $0.name == name }).token
    }

    /// A running `simbee-jwt` fed line by line, its result lines read one at a time.
    final class Session: Sendable {
        private let process = Process()
        private let input = Pipe()
        private let output = Pipe()
        private let buffer = NIOLockedValueBox<Data>(Data())

        init(_ arguments: [String]) throws {
            process.executableURL = CLITests.binary
            process.arguments = arguments
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// Sends one line and returns the result line it produced (waiting at most 30 s).
        func verify(_ token: String) async throws -> [String: Any] {
            let line = try await offloaded { try self.verifyBlocking(token) }
            return try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
        }

        /// The raw result line for one token.
        private func verifyBlocking(_ token: String) throws -> Data {
            input.fileHandleForWriting.write(Data((token + "\n").utf8))
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let line = buffer.withLockedValue { buffer -> Data? in
                    guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                    let line = buffer[buffer.startIndex..<newline]
                    buffer.removeSubrange(buffer.startIndex...newline)
                    return Data(line)
                }
                if let line { return line }
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.withLockedValue { $0.append(chunk) }
            }
            throw SessionEnded()
        }

        /// Closes stdin and returns the exit status.
        func finish() async throws -> Int32 {
            try await offloaded { try self.finishBlocking() }
        }

        private func finishBlocking() throws -> Int32 {
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            return process.terminationStatus
        }

        struct SessionEnded: Error {}
    }

    @Test("a rotation in the middle of a stdin stream is picked up with one refresh")
    func rotationMidStream() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        defer { Task { await server.shutdown() } }
        server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]))
        let session = try Session(["verify", "--jwks", server.url, "--jwks-cooldown", "0"] + Self.policy)
        #expect(try await session.verify(try Self.token("es256-valid"))["valid"] as? Bool == true)
        #expect(try await session.verify(try Self.token("es256-valid"))["valid"] as? Bool == true)
        #expect(server.requestCount == 1)
        server.serve(jwks: try RemoteJWKSHarness.document(["es256-a", "es256-b"]))
        let rotated = try await session.verify(try Self.token("es256-valid-keyops"))
        #expect(rotated["valid"] as? Bool == true)
        #expect(rotated["kid"] as? String == "es256-b")
        #expect(server.requestCount == 2)
        #expect(try await session.finish() == 0)
    }

    @Test("inside the default cooldown an unknown kid is refused without a fetch")
    func cooldownInCLI() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        defer { Task { await server.shutdown() } }
        server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]))
        let session = try Session(["verify", "--jwks", server.url] + Self.policy)
        let start = ContinuousClock.now
        #expect(try await session.verify(try Self.token("es256-valid"))["valid"] as? Bool == true)
        for _ in 0..<5 {
            #expect(try await session.verify(try Self.token("es256-valid-keyops"))["error"] as? String == "unknown_key")
        }
        // One fetch, and no refresh for the five unknown kids: the default cooldown is 30 s. On a
        // machine so loaded that the session outlives a cooldown, one refresh per elapsed cooldown
        // is allowed; a verifier without a cooldown would fetch six times.
        let cooldowns = Int((ContinuousClock.now - start) / .seconds(30))
        #expect(server.requestCount <= 1 + cooldowns)
        #expect(try await session.finish() == 1)
    }

    @Test("--jwks may be left out when --issuer is a URL: the well-known path is fetched")
    func issuerWellKnown() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        defer { Task { await server.shutdown() } }
        server.serve(jwks: try RemoteJWKSHarness.document(["es256-a"]))
        // The fixture tokens' iss is https://api.simbee.io, so they fail the issuer check here,
        // after their keys were found at the issuer's well-known URL.
        let run = try await CLITests.run(["verify", "--issuer", "http://127.0.0.1:\(server.port)"] + Self.policy + [try Self.token("es256-valid")])
        #expect(run.lines.first?["error"] as? String == "issuer_mismatch")
        #expect(server.requests.map(\.path) == ["/.well-known/jwks.json"])
    }

    @Test("an unreachable JWK Set URL is not a setup error: tokens get jwks_unavailable, exit 1")
    func unreachable() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        let url = server.url
        await server.shutdown()
        let run = try await CLITests.run(["verify", "--jwks", url, "--jwks-timeout", "1"] + Self.policy, stdin: Data((try Self.token("es256-valid") + "\n").utf8))
        #expect(run.status == 1)
        #expect(run.lines.first?["error"] as? String == "jwks_unavailable")
        #expect(run.stderr.contains("refresh failed"))
    }

    @Test("a slow JWK Set endpoint is bounded by --jwks-timeout")
    func timeoutFlag() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        defer { Task { await server.shutdown() } }
        server.answer(.hang)
        // The server never answers: the run ends only through the request timeout, and says so.
        let run = try await CLITests.run(["verify", "--jwks", server.url, "--jwks-timeout", "0.5"] + Self.policy + [try Self.token("es256-valid")])
        #expect(run.status == 1)
        #expect(run.lines.first?["error"] as? String == "jwks_unavailable")
        // The refresh failed for want of time (our deadline or async-http-client's), not for a refused connection.
        #expect(run.stderr.contains("timed out") || run.stderr.contains("deadlineExceeded"), "\(run.stderr)")
    }

    @Test("URL setup errors exit 2", arguments: [
        ["verify", "--jwks", "http://api.simbee.io/jwks.json", "x"],
        ["verify", "--jwks", "https://api.simbee.io/jwks.json", "--jwks-timeout", "0", "x"],
        ["verify", "--jwks", "https://api.simbee.io/jwks.json", "--jwks-cooldown", "-1", "x"],
        ["verify", "--issuer", "api.simbee.io", "x"],
        ["verify", "--jwks", "@FIXTURES/jwks/simbee.jwks.json", "--jwks-cooldown", "5", "x"],
        // Ports past 65535 once trapped (exit 132) on the first fetch.
        ["verify", "--jwks", "http://127.0.0.1:99999/jwks.json", "x"],
        ["verify", "--issuer", "https://127.0.0.1:65536", "x"],
        // The well-known path would land inside the query or the fragment.
        ["verify", "--issuer", "http://127.0.0.1:9?tenant=a", "x"],
        ["verify", "--issuer", "http://127.0.0.1:9#x", "x"],
    ])
    func urlSetupErrors(_ arguments: [String]) async throws {
        let resolved = arguments.map { $0.replacingOccurrences(of: "@FIXTURES", with: TestSupport.fixtures.path) }
        let run = try await CLITests.run(resolved)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        // One line of the tool's own, as for every setup error.
        #expect(run.stderr.hasPrefix("simbee-jwt: "), "\(run.stderr)")
        #expect(run.stderr.filter { $0 == "\n" }.count == 1, "\(run.stderr)")
    }
}
