import Foundation
import SimbeeJWTTesting
import Testing

/// `simbee-jwt` against operator mistakes, end to end through the built binary: numbers of seconds
/// no `Duration` can hold, key-set paths that are not regular files, standard output that cannot
/// be written, the audience default, `decode`'s keys and `--version`.
///
/// Runs that could hang if the tool regressed go through `timeout 120`: a hang fails the test
/// (status 124) instead of stalling the suite; no test asserts a wall-clock bound of its own.
@Suite("simbee-jwt: operator mistakes")
struct CLIOperatorTests {
    static let jwks = CLITests.jwks
    static let policy = ["--issuer", "https://api.simbee.io", "--now", "1796000000"]

    /// Runs `script` in bash with `TOOL` set to the built binary and `TOKEN` to a valid fixture token.
    static func shell(_ script: String, token: String? = nil) async throws -> CLITests.Run {
        let valid = try token ?? CLITests.token("es256-valid")
        return try await CLITests.run(
            ["-c", "TOOL=\(CLITests.binary.path) TOKEN=\(valid) JWKS=\(jwks); " + script],
            executable: URL(fileURLWithPath: "/bin/bash")
        )
    }

    /// Standard error without the warnings about the fixture set's deliberately unusable keys.
    static func errorLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("simbee-jwt: warning: ") }
    }

    /// What `strerror` says for each way standard output fails.
    static let reason = ["> /dev/full": "No space left on device", ">&-": "it is closed"]

    // MARK: Numbers of seconds

    @Test(
        "a number of seconds out of range is a setup error (exit 2, one line on stderr), never a trap",
        arguments: [
            ["--leeway", "1e19"], ["--leeway", "1e30"], ["--leeway", "1e300"], ["--leeway=-1e30"],
            ["--leeway", "nan"], ["--leeway", "inf"], ["--leeway=-inf"], ["--leeway", "301"],
            ["--leeway", "300.001"], ["--leeway=-1"], ["--leeway=-0.001"],
            ["--jwks-cooldown", "1e30"], ["--jwks-cooldown", "1e19"], ["--jwks-cooldown", "nan"],
            ["--jwks-cooldown", "3601"], ["--jwks-cooldown=-1"],
            ["--jwks-timeout", "1e30"], ["--jwks-timeout", "1e19"], ["--jwks-timeout", "inf"],
            ["--jwks-timeout", "0"], ["--jwks-timeout", "120.5"], ["--jwks-timeout=-1e30"],
            // --now: a Unix time in the NumericDate range (the last in the list wins over Self.policy's).
            ["--now", "1e300"], ["--now=-1"], ["--now", "253402300800"], ["--now", "nan"],
            // Decimal only, and a negative value without `=` is a value (out of range), not a
            // missing one: `Double` alone would read 0x3C as 60.
            ["--leeway", "-1"], ["--leeway", "0x3C"], ["--leeway", ""], ["--leeway", "60 "],
            ["--jwks-timeout", "0x10"], ["--jwks-cooldown", "-5"], ["--now", "0x6B0D8E80"],
        ]
    )
    func secondsOutOfRange(_ flag: [String]) async throws {
        let source = flag[0].hasPrefix("--jwks-") ? "http://127.0.0.1:9/jwks.json" : Self.jwks
        let run = try await CLITests.run(["verify", "--jwks", source] + Self.policy + flag + ["x"])
        #expect(run.status == 2, "\(flag): \(run.stderr)")
        #expect(run.stdout.isEmpty)
        let lines = Self.errorLines(run.stderr)
        #expect(lines.count == 1 && lines[0].hasPrefix("simbee-jwt: "), "\(run.stderr)")
        let name = flag[0].split(separator: "=")[0]
        // --jwks-timeout sets two library timeouts, so its message must name the flag itself.
        #expect(
            run.stderr.contains(name)
                || (name != "--jwks-timeout"
                    && run.stderr.contains(name.dropFirst(2).replacingOccurrences(of: "jwks-", with: ""))),
            "\(run.stderr)"
        )
    }

    @Test("the largest accepted values work: --leeway 300, --jwks-cooldown 3600, --jwks-timeout 120")
    func secondsAtTheLimit() async throws {
        let token = try CLITests.token("es256-valid")
        let file = try await CLITests.run(
            ["verify", "--jwks", Self.jwks, "--audience", "cl_fixture", "--leeway", "300"] + Self.policy + [token]
        )
        #expect(file.status == 0, "\(file.stderr)")
        // Decimal forms with a sign or an exponent are numbers too.
        let forms = try await CLITests.run(
            ["verify", "--jwks", Self.jwks, "--audience", "cl_fixture", "--leeway", "3e2"] + Self.policy
                + ["--now", "+1796000000", token]
        )
        #expect(forms.status == 0, "\(forms.stderr)")
        // A closed port: the set cannot be fetched, which is not a setup error.
        let url = try await CLITests.run(
            [
                "verify", "--jwks", "http://127.0.0.1:9/jwks.json", "--jwks-cooldown", "3600", "--jwks-timeout", "120",
                "--audience", "cl_fixture",
            ] + Self.policy + [token]
        )
        #expect(url.status == 1, "\(url.stderr)")
        #expect(url.lines.first?["error"] as? String == "jwks_unavailable")
    }

    // MARK: Key-set paths

    @Test("a FIFO as the key set is refused at once (exit 2), with no writer and with a silent one")
    func fifoKeySet() async throws {
        let run = try await Self.shell(
            #"""
            dir=$(mktemp -d) && mkfifo "$dir/jwks" || exit 99
            timeout 120 "$TOOL" verify --jwks "$dir/jwks" "$TOKEN"; echo "no-writer=$?"
            exec 3<> "$dir/jwks"  # this shell is now a writer that never writes
            timeout 120 "$TOOL" verify --jwks "$dir/jwks" "$TOKEN"; echo "silent-writer=$?"
            exec 3>&-; rm -r "$dir"
            """#
        )
        #expect(run.stdout.contains("no-writer=2"), "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("silent-writer=2"), "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("not a regular file"), "\(run.stderr)")
    }

    @Test(
        "a directory, a device or a missing path as the key set: exit 2",
        arguments: ["/tmp", "/dev/zero", "/dev/null", "/nonexistent/jwks.json"]
    )
    func notARegularFile(_ path: String) async throws {
        let run = try await CLITests.run(["verify", "--jwks", path, try CLITests.token("es256-valid")])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("simbee-jwt: cannot read JWK Set \(path): "), "\(run.stderr)")
    }

    @Test("a key set given as /dev/stdin is read when standard input is a regular file")
    func stdinKeySet() async throws {
        let run = try await Self.shell(
            #"""
            "$TOOL" verify --jwks /dev/stdin --audience cl_fixture --issuer https://api.simbee.io --now 1796000000 "$TOKEN" < "$JWKS"
            """#
        )
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.lines.first?["valid"] as? Bool == true)
    }

    // MARK: Input

    @Test("standard input with no line (empty or closed) is exit 1, never 0; an empty line is a rejected token")
    func noTokenRead() async throws {
        let run = try await Self.shell(
            #"""
            verify() { "$TOOL" verify --jwks "$JWKS" --audience cl_fixture \#(Self.policy.joined(separator: " ")) "$@"; }
            out=$(mktemp) || exit 99
            printf '' | verify > "$out"; echo "empty=$? lines=$(wc -l < "$out")"
            verify <&- > "$out"; echo "closed=$? lines=$(wc -l < "$out")"
            printf '\n' | verify > "$out"; echo "blank=$? lines=$(wc -l < "$out")"
            printf '%s' "$TOKEN" | verify > "$out"; echo "token=$? lines=$(wc -l < "$out")"
            rm -f "$out"
            """#
        )
        let results = run.stdout.split(separator: "\n").map(String.init)
        let expected = ["empty=1 lines=0", "closed=1 lines=0", "blank=1 lines=1", "token=0 lines=1"]
        #expect(results == expected, "\(run.stderr)")
        let message = "simbee-jwt: no token: standard input held no line"
        #expect(Self.errorLines(run.stderr) == [message, message])
    }

    // MARK: Non-blocking streams

    /// Sets `O_NONBLOCK` on `descriptor`'s open file, which the tool then shares.
    static func makeNonBlocking(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// A temporary file holding `text`, removed by the caller.
    static func temporaryFile(_ text: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("simbee-jwt-\(UUID().uuidString)")
        try Data(text.utf8).write(to: file)
        return file
    }

    @Test("a non-blocking standard input that is empty for now is waited on, not an error")
    func nonBlockingInput() async throws {
        let token = try CLITests.token("es256-valid")
        let (status, output) = try await offloaded { () throws -> (Int32, String) in
            let input = Pipe()
            Self.makeNonBlocking(input.fileHandleForReading.fileDescriptor)
            let results = try Self.temporaryFile("")
            defer { try? FileManager.default.removeItem(at: results) }
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = CLITests.baseArguments
            process.standardInput = input
            process.standardOutput = try FileHandle(forWritingTo: results)
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The tool meets the empty pipe (EAGAIN) first; three tokens arrive later. Nothing is
            // written once it has gone (a write to a pipe without reader would raise SIGPIPE here).
            Thread.sleep(forTimeInterval: 0.5)
            if process.isRunning {
                input.fileHandleForWriting.write(Data(String(repeating: token + "\n", count: 3).utf8))
            }
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            return (process.terminationStatus, try String(contentsOf: results, encoding: .utf8))
        }
        #expect(status == 0)
        #expect(output.split(separator: "\n").filter { $0.hasPrefix(#"{"valid":true"#) }.count == 3, "\(output)")
    }

    @Test("a non-blocking standard output that is full is waited on, not an error")
    func nonBlockingOutput() async throws {
        let token = try CLITests.token("es256-valid")
        let count = 2_000  // about 700 KB of results: far more than a pipe holds
        let (status, lines, errors) = try await offloaded { () throws -> (Int32, [Substring], String) in
            let tokens = try Self.temporaryFile(String(repeating: token + "\n", count: count))
            defer { try? FileManager.default.removeItem(at: tokens) }
            let output = Pipe(), errors = Pipe()
            Self.makeNonBlocking(output.fileHandleForWriting.fileDescriptor)
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = CLITests.baseArguments
            process.standardInput = try FileHandle(forReadingFrom: tokens)
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // The reader starts late: by then the pipe is full and a write fails with EAGAIN.
            Thread.sleep(forTimeInterval: 1)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text.split(separator: "\n"), stderr)
        }
        #expect(status == 0, "\(errors)")
        #expect(lines.count == count)
        #expect(lines.allSatisfy { $0.hasPrefix(#"{"valid":true"#) })
        #expect(Self.errorLines(errors).isEmpty, "\(errors)")
    }

    // MARK: Output errors

    @Test("standard output on /dev/full or closed: exit 3 with one line on stderr", arguments: ["> /dev/full", ">&-"])
    func unwritableOutput(_ redirection: String) async throws {
        for input in [#""$TOKEN""#, #"< <(for i in 1 2 3; do echo "$TOKEN"; done)"#] {
            let run = try await Self.shell(
                #""$TOOL" verify --jwks "$JWKS" --audience cl_fixture \#(Self.policy.joined(separator: " ")) \#(input) \#(redirection)"#
            )
            #expect(run.status == 3, "\(redirection) \(input): \(run.stderr)")
            #expect(
                Self.errorLines(run.stderr) == [
                    "simbee-jwt: cannot write to standard output: \(Self.reason[redirection]!)"
                ]
            )
        }
    }

    @Test("decode and --version to /dev/full: exit 3, not 0")
    func unwritableOneShots() async throws {
        let run = try await Self.shell(
            #"""
            "$TOOL" decode "$TOKEN" > /dev/full; echo "decode=$?"
            "$TOOL" --version > /dev/full; echo "version=$?"
            """#
        )
        #expect(run.stdout.contains("decode=3"), "\(run.stdout)")
        #expect(run.stdout.contains("version=3"), "\(run.stdout)")
    }

    @Test("an endless token stream into a pipe that closes ends the tool with exit 3, file and URL key sets")
    func brokenPipe() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        defer { Task { await server.shutdown() } }
        server.serve(jwks: try TestSupport.fixture("jwks/simbee.jwks.json"))
        for source in [Self.jwks, server.url] {
            let run = try await Self.shell(
                #"""
                yes "$TOKEN" | timeout 120 "$TOOL" verify --jwks "\#(source)" --audience cl_fixture \#(Self.policy.joined(separator: " ")) | head -1
                echo "status=${PIPESTATUS[1]}"
                """#
            )
            let lines = run.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(source): \(run.stdout)")
            #expect(lines.first?.hasPrefix(#"{"valid":true"#) == true, "\(source): \(run.stdout)")
            #expect(lines.last == "status=3", "\(source): \(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains("simbee-jwt: cannot write to standard output: Broken pipe"), "\(run.stderr)")
        }
    }

    @Test("finite input into a pipe already closed: exit 3 at the first write, file and URL key sets")
    func closedPipe() async throws {
        let server = try await SimbeeTestJWKSServer.startScripted()
        defer { Task { await server.shutdown() } }
        server.serve(jwks: try TestSupport.fixture("jwks/simbee.jwks.json"))
        let token = try CLITests.token("es256-valid")
        for source in [Self.jwks, server.url] {
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = ["verify", "--jwks", source, "--audience", "cl_fixture"] + Self.policy
            let input = Pipe()
            let output = Pipe()
            let errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try output.fileHandleForReading.close()  // no reader, ever
            try process.run()
            input.fileHandleForWriting.write(Data(String(repeating: token + "\n", count: 3).utf8))
            try input.fileHandleForWriting.close()
            let status = try await offloaded { () -> Int32 in
                process.waitUntilExit()
                return process.terminationStatus
            }
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(status == 3, "\(source): \(stderr)")
            #expect(
                Self.errorLines(stderr) == ["simbee-jwt: cannot write to standard output: Broken pipe"],
                "\(source)"
            )
        }
    }

    // MARK: Buffered output

    @Test("buffered results reach a line-by-line reader before the tool waits for more input")
    func resultsBeforeWaiting() async throws {
        let session = try CLIRemoteJWKSTests.Session(
            ["verify", "--jwks", Self.jwks, "--audience", "cl_fixture"] + Self.policy
        )
        let token = try CLITests.token("es256-valid")
        for _ in 0..<3 {
            // Each answer arrives while standard input stays open: the tool wrote it before reading on.
            #expect(try await session.verify(token)["valid"] as? Bool == true)
        }
        #expect(try await session.verify("garbage")["error"] as? String == "malformed")
        #expect(try await session.finish() == 1)
    }

    @Test("100,000 results through the buffer arrive complete and in order")
    func manyResultsInOrder() async throws {
        let valid = try CLITests.token("es256-valid")
        var input = ""
        for index in 0..<100_000 { input += (index % 7 == 3 ? "x\(index)" : valid) + "\n" }
        let run = try await CLITests.run(
            ["verify", "--jwks", Self.jwks, "--audience", "cl_fixture"] + Self.policy,
            stdin: Data(input.utf8)
        )
        #expect(run.status == 1)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 100_000)
        for (index, line) in lines.enumerated() where line.hasPrefix(#"{"valid":true"#) == (index % 7 == 3) {
            Issue.record("line \(index) out of order: \(line.prefix(40))")
            break
        }
    }

    @Test("claims are printed as signed, without insignificant whitespace, on one line")
    func claimsCompacted() async throws {
        let payload = """
            {\t"iss" : "https://api.simbee.io",\r\n  "aud":[ "cl_fixture" ],
              "exp" : 1796000600 , "note" : "a \\" , { } [ ] \\\\ \\n end",
              "nested" : { "k" : [ 1 , 2.5e1 , true , null ] } }
            """
        let token = try TokenMinter(.es256A).token(payload: payload)
        let run = try await CLITests.run(["verify", "--jwks", Self.jwks, "--audience", "cl_fixture"] + Self.policy + [token])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout == #"{"valid":true,"alg":"ES256","kid":"es256-a","claims":{"iss":"https://api.simbee.io","#
                + #""aud":["cl_fixture"],"exp":1796000600,"note":"a \" , { } [ ] \\ \n end","#
                + #""nested":{"k":[1,2.5e1,true,null]}}}"# + "\n"
        )
    }

    // MARK: Audience

    @Test("without --audience a token that has aud is rejected; --skip-audience-check accepts it")
    func audienceDefault() async throws {
        let token = try CLITests.token("es256-valid")  // aud "cl_fixture"
        let strict = try await CLITests.run(["verify", "--jwks", Self.jwks] + Self.policy + [token])
        #expect(strict.status == 1)
        #expect(strict.lines.first?["error"] as? String == "audience_mismatch")

        let skipped = try await CLITests.run(
            ["verify", "--jwks", Self.jwks, "--skip-audience-check"] + Self.policy + [token]
        )
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.lines.first?["valid"] as? Bool == true)

        let both = try await CLITests.run(
            ["verify", "--jwks", Self.jwks, "--skip-audience-check", "--audience", "cl_fixture"] + Self.policy + [token]
        )
        #expect(both.status == 2)
        #expect(
            Self.errorLines(both.stderr) == [
                "simbee-jwt: --skip-audience-check and --audience contradict each other: give one"
            ],
            "\(both.stderr)"
        )
    }

    // MARK: decode and --version

    @Test("decode: one key, \"verified\", whether it could read the token or not")
    func decodeKey() async throws {
        let good = try await CLITests.run(["decode", try CLITests.token("es256-valid")])
        #expect(good.status == 0)
        #expect(good.lines.first?["verified"] as? Bool == false)
        #expect(good.lines.first?["payload"] is [String: Any])

        let bad = try await CLITests.run(["decode", "garbage"])
        #expect(bad.status == 1)
        let line = try #require(bad.lines.first)
        #expect(line["verified"] as? Bool == false)
        #expect(line["valid"] == nil)
        #expect(line["error"] as? String == "malformed")
    }

    @Test("--version prints the version and exits 0")
    func version() async throws {
        let run = try await CLITests.run(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout == "0.1.0\n")
    }
}
