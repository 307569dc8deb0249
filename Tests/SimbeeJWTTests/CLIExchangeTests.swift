import Foundation
import SimbeeJWT
import SimbeeJWTTesting
import Testing

/// `simbee-jwt exchange` end to end: the built binary against the test server's exchange endpoint
/// on 127.0.0.1, the key handed over in the environment as users hand it.
///
/// Every run checks that the key appears on neither standard stream, whatever the outcome.
@Suite("simbee-jwt exchange")
struct CLIExchangeTests {
    /// A key distinctive enough that any echo of it, whole or in part, is found.
    static let key = "sk_test_SECRET_do_not_print_9f8e7d"

    /// The test process's environment with `SIMBEE_API_KEY` set to `key`, or without it for `nil`.
    static func environment(key: String?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SIMBEE_API_KEY"] = key
        return environment
    }

    /// Runs `simbee-jwt exchange` with `arguments` and checks that no stream shows the key.
    static func exchange(
        _ arguments: [String],
        key: String? = CLIExchangeTests.key,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CLITests.Run {
        let run = try await CLITests.run(["exchange"] + arguments, environment: environment(key: key))
        expectNoKey(in: run, sourceLocation: sourceLocation)
        return run
    }

    static func expectNoKey(in run: CLITests.Run, sourceLocation: SourceLocation = #_sourceLocation) {
        for stream in [run.stdout, run.stderr] {
            #expect(!stream.contains("SECRET_do_not_print"), "\(stream)", sourceLocation: sourceLocation)
        }
    }

    /// A running test server; the caller shuts it down.
    static func startServer() async throws -> SimbeeTestJWKSServer {
        try await SimbeeTestJWKSServer.start(serving: try SimbeeTestIssuer())
    }

    // MARK: Exchanges

    @Test(
        "an accepted key: one JSON line whose token verifies, with the lifetime and scopes granted, exit 0",
        arguments: ["", "/"]
    )
    func accepted(_ trailingSlash: String) async throws {
        let server = try await Self.startServer()
        defer { Task { await server.shutdown() } }
        server.acceptAPIKey(
            Self.key,
            subject: "cu_cli",
            clientID: "cl_cli",
            scopes: ["read", "write"],
            lifetime: .seconds(600)
        )

        let run = try await Self.exchange(["--base-url", server.baseURL + trailingSlash])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.hasSuffix("}\n") && run.stdout.filter { $0 == "\n" }.count == 1, "\(run.stdout)")
        let line = try #require(run.lines.first)
        #expect(Set(line.keys) == ["token", "expires_in", "scopes"])
        #expect(line["scopes"] as? [String] == ["read", "write"])
        // The lifetime counts from when the request was sent, in whole seconds rounded down, and
        // `exp` is whole seconds too: up to two seconds less than granted, never more.
        let expiresIn = try #require(line["expires_in"] as? Int)
        #expect((598...600).contains(expiresIn), "\(expiresIn)")

        let token = try #require(line["token"] as? String)
        let verified = try await server.verifier(clientID: "cl_cli").verify(token)
        #expect(verified.claims.subject == "cu_cli")
        #expect(verified.claims.scopes == ["read", "write"])
        #expect(server.exchangeCount == 1)
    }

    @Test("a key granted no scopes prints an empty scopes array")
    func noScopes() async throws {
        let server = try await Self.startServer()
        defer { Task { await server.shutdown() } }
        server.acceptAPIKey(Self.key, scopes: [])
        let run = try await Self.exchange(["--base-url", server.baseURL])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#","scopes":[]}"#), "\(run.stdout)")
    }

    @Test(
        "a revoked or unknown key: key_refused on one stderr line, nothing on stdout, no retry, exit 1",
        arguments: [true, false]
    )
    func refused(_ wasAccepted: Bool) async throws {
        let server = try await Self.startServer()
        defer { Task { await server.shutdown() } }
        if wasAccepted {
            server.acceptAPIKey(Self.key)
            server.revokeAPIKey(Self.key)
        }
        let run = try await Self.exchange(["--base-url", server.baseURL])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "simbee-jwt: key_refused: the exchange refused the API key (status 401)\n")
        #expect(server.exchangeCount == 1)
    }

    @Test("an outage: every attempt answered 503, server_error on one stderr line, exit 1")
    func outage() async throws {
        let server = try await Self.startServer()
        defer { Task { await server.shutdown() } }
        server.acceptAPIKey(Self.key)
        server.isExchangeAvailable = false
        let run = try await Self.exchange(["--base-url", server.baseURL])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("simbee-jwt: server_error: ") && Self.lineCount(run.stderr) == 1, "\(run.stderr)")
        #expect(server.exchangeCount == 3)
    }

    @Test("nothing listening: connection_failed, exit 1")
    func unreachable() async throws {
        let server = try await Self.startServer()
        let baseURL = server.baseURL
        await server.shutdown()
        let run = try await Self.exchange(["--base-url", baseURL])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr.hasPrefix("simbee-jwt: connection_failed: ") && Self.lineCount(run.stderr) == 1,
            "\(run.stderr)"
        )
    }

    @Test("a slow exchange is bounded by --timeout: timed_out, exit 1")
    func timeoutFlag() async throws {
        let server = try await Self.startServer()
        defer { Task { await server.shutdown() } }
        server.acceptAPIKey(Self.key)
        // Longer than the whole run may take; the run ends only through the request timeout.
        server.exchangeDelay = .seconds(30)
        let run = try await Self.exchange(["--base-url", server.baseURL, "--timeout", "0.3"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("simbee-jwt: timed_out: ") && Self.lineCount(run.stderr) == 1, "\(run.stderr)")
    }

    // MARK: Usage and setup errors

    /// A run that must stop before any exchange; `@BASE` stands for the test server's base URL.
    struct SetupCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var key: String? = CLIExchangeTests.key
        /// What the one stderr line must contain; `nil` for argument-parser's own usage text.
        var message: String?

        var testDescription: String {
            "\(arguments.joined(separator: " ")) with SIMBEE_API_KEY \(key.map { "of \($0.utf8.count) bytes" } ?? "unset")"
        }
    }

    static let setupCases: [SetupCase] = [
        SetupCase(arguments: ["--base-url", "@BASE"], key: nil, message: "SIMBEE_API_KEY is not set"),
        SetupCase(arguments: ["--base-url", "@BASE"], key: key + "\n", message: "SIMBEE_API_KEY: "),
        SetupCase(arguments: ["--base-url", "@BASE"], key: " " + key, message: "SIMBEE_API_KEY: "),
        SetupCase(arguments: ["--base-url", "@BASE"], key: "", message: "SIMBEE_API_KEY: "),
        SetupCase(arguments: ["--base-url", "http://example.com"], message: "https"),
        SetupCase(arguments: ["--base-url", "https://"], message: "base URL"),
        SetupCase(arguments: ["--base-url", "not a url"], message: "base URL"),
        SetupCase(arguments: ["--base-url", "https://user:pass@api.simbee.io"], message: "credentials"),
        SetupCase(arguments: ["--base-url", "@BASE?x=1"], message: "query"),
        SetupCase(arguments: ["--base-url", "http://127.0.0.1:99999"], message: "port"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "0"], message: "--timeout must be"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "120.5"], message: "timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout=-1"], message: "timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "nan"], message: "--timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "inf"], message: "--timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "1e30"], message: "--timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "abc"], message: "--timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "0x10"], message: "--timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--timeout", "-1"], message: "--timeout"),
        SetupCase(arguments: ["--base-url", "@BASE", "--no-such-flag"]),
        SetupCase(arguments: ["--base-url", "@BASE", "extra"]),
        SetupCase(arguments: ["--base-url"]),
    ]

    @Test("usage and setup errors: exit 2, nothing on stdout, no exchange sent", arguments: setupCases)
    func setupErrors(_ setup: SetupCase) async throws {
        let server = try await Self.startServer()
        defer { Task { await server.shutdown() } }
        server.acceptAPIKey(Self.key)
        let arguments = setup.arguments.map { $0.replacingOccurrences(of: "@BASE", with: server.baseURL) }
        let run = try await Self.exchange(arguments, key: setup.key)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        if let message = setup.message {
            #expect(run.stderr.hasPrefix("simbee-jwt: ") && Self.lineCount(run.stderr) == 1, "\(run.stderr)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
        } else {
            #expect(!run.stderr.isEmpty)
        }
        #expect(server.exchangeCount == 0)
    }

    // MARK: Output

    @Test("standard output on /dev/full: exit 3 with one line on stderr")
    func unwritableOutput() async throws {
        let server = try await Self.startServer()
        defer { Task { await server.shutdown() } }
        server.acceptAPIKey(Self.key)
        let run = try await CLITests.run(
            ["-c", #""$TOOL" exchange --base-url "$BASE" > /dev/full"#],
            executable: URL(fileURLWithPath: "/bin/bash"),
            environment: Self.environment(key: Self.key).merging(
                ["TOOL": CLITests.binary.path, "BASE": server.baseURL],
                uniquingKeysWith: { $1 }
            )
        )
        Self.expectNoKey(in: run)
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr == "simbee-jwt: cannot write to standard output: No space left on device\n")
        #expect(server.exchangeCount == 1)
    }

    @Test("help names the variable, the default base URL and the exit statuses")
    func help() async throws {
        let run = try await Self.exchange(["--help"])
        #expect(run.status == 0)
        for text in ["SIMBEE_API_KEY", "--base-url", "https://api.simbee.io", "--timeout", "Exit status"] {
            #expect(run.stdout.contains(text), "\(text)")
        }
        let root = try await CLITests.run(["--help"])
        #expect(root.stdout.contains("exchange"))
    }

    static func lineCount(_ text: String) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    }
}
