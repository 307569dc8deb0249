import BenchSupport
import Foundation
import SimbeeJWT
import SimbeeJWTTesting

/// The command-line tool's cost per token: `verify-profile cli <rounds>`.
///
/// Each round runs the built `simbee-jwt verify` (path in `SIMBEE_JWT_TOOL`, default
/// `.build/release/simbee-jwt`) on token files read from standard input, with standard output on
/// `/dev/null`: one token (start-up and set-up alone), `unique` distinct ES256 tokens, and the one
/// token `repeated` times (answered by the verified-token cache). The cost per token is the
/// difference from the one-token run divided by the extra tokens, so process start-up cancels out.
/// In the same round the OpenSSL floor verifies `unique` times in this process; the ratio of the
/// tool's cost per unique token to the floor's per verification is taken within the round. Cases
/// run in a random order each round; the medians over the rounds are printed.
enum CommandLineTool {
    /// Enough that the variation of process start-up, spread over the tokens, stays well under
    /// 1 % of a verification.
    static let unique = 20_000
    static let repeated = 100_000

    static func run(_ rounds: Int) async throws {
        let tool = ProcessInfo.processInfo.environment["SIMBEE_JWT_TOOL"] ?? ".build/release/simbee-jwt"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            print("no tool at \(tool): build it with `swift build -c release --product simbee-jwt` in Benchmarks/")
            exit(2)
        }
        let issuer = try SimbeeTestIssuer(algorithms: [.es256])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("simbee-jwt-cli-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jwks = directory.appendingPathComponent("jwks.json")
        try Data(issuer.jwks).write(to: jwks)

        let one = try issuer.token()
        var distinct: [String] = []
        for _ in 0..<unique { distinct.append(try issuer.token()) }
        let inputs = [
            "one": [one],
            "unique": distinct,
            "repeated": Array(repeating: one, count: repeated),
        ]
        var files: [String: URL] = [:]
        for (name, tokens) in inputs {
            let file = directory.appendingPathComponent("\(name).txt")
            try Data((tokens.joined(separator: "\n") + "\n").utf8).write(to: file)
            files[name] = file
        }
        let arguments = [
            "verify", "--jwks", jwks.path, "--issuer", issuer.issuer, "--audience", TestClaims.defaultAudience,
        ]

        let floor = Bench.OpenSSLFloor()
        let keys = try JWKSet(json: issuer.jwks)
        var policy = ClaimsPolicy(issuer: issuer.issuer, audiences: [TestClaims.defaultAudience])
        policy.leeway = .seconds(60)
        var tokenCache = JWTVerifier.Configuration.TokenCache()
        tokenCache.admission = .secondVerification
        var libraryMicroseconds: [Double] = []
        var uniqueRatios: [Double] = []
        var uniqueMicroseconds: [Double] = []
        var repeatedMicroseconds: [Double] = []
        var floorMicroseconds: [Double] = []
        for _ in 0..<rounds {
            var times: [String: Duration] = [:]
            for name in ["one", "unique", "repeated", "floor", "library"].shuffled() {
                if name == "library" {
                    // The same verifications in this process, as the tool makes them (token cache on,
                    // admitting a token on its second verification).
                    let verifier = try JWTVerifier(
                        keys: keys,
                        configuration: .init(claims: policy, tokenCache: tokenCache)
                    )
                    let start = ContinuousClock.now
                    for token in distinct { _ = try await verifier.verify(token) }
                    times[name] = ContinuousClock.now - start
                } else if name == "floor" {
                    let start = ContinuousClock.now
                    var verified = 0
                    for _ in 0..<unique where floor.verifyES256() { verified += 1 }
                    times[name] = ContinuousClock.now - start
                    precondition(verified == unique, "the floor failed")
                } else {
                    times[name] = try runTool(tool, arguments, input: files[name]!)
                }
            }
            let oneRun = times["one"]!.microseconds
            let perUnique = (times["unique"]!.microseconds - oneRun) / Double(unique - 1)
            let perRepeated = (times["repeated"]!.microseconds - oneRun) / Double(repeated - 1)
            let perFloor = times["floor"]!.microseconds / Double(unique)
            uniqueMicroseconds.append(perUnique)
            repeatedMicroseconds.append(perRepeated)
            floorMicroseconds.append(perFloor)
            libraryMicroseconds.append(times["library"]!.microseconds / Double(unique))
            uniqueRatios.append(perUnique / perFloor)
        }
        print("simbee-jwt verify, cost per token (\(rounds) rounds, medians; one-token run subtracted)")
        print(String(format: "  unique ES256 tokens (%d):      %8.2f µs", unique, median(uniqueMicroseconds)))
        print(String(format: "  OpenSSL floor, same round:     %8.2f µs", median(floorMicroseconds)))
        print(String(format: "  library verify, same tokens:   %8.2f µs", median(libraryMicroseconds)))
        print(
            String(
                format: "  unique / floor:                %8.3f  (quartiles %.3f–%.3f)",
                median(uniqueRatios),
                quantile(uniqueRatios, 0.25),
                quantile(uniqueRatios, 0.75)
            )
        )
        print(String(format: "  repeated token (%d):        %8.2f µs", repeated, median(repeatedMicroseconds)))
    }

    /// Runs the tool once with `input` on standard input and standard output on `/dev/null`; its
    /// wall-clock time.
    private static func runTool(_ tool: String, _ arguments: [String], input: URL) throws -> Duration {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        guard process.terminationStatus == 0 else {
            print("simbee-jwt exited with \(process.terminationStatus) on \(input.lastPathComponent)")
            exit(1)
        }
        return elapsed
    }

    private static func quantile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * fraction).rounded()))]
    }
}
