import Foundation
import Testing
@_spi(Testing) @testable import SimbeeJWT

/// Shared helpers for the test suite: fixture paths, hex, and verifier builders.
enum TestSupport {
    /// The repository's `Fixtures/` folder, found from this file's location so tests run from any
    /// working directory on a fresh clone.
    static let fixtures: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // SimbeeJWTTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("Fixtures")

    /// The bytes of a file under `Fixtures/`.
    static func fixture(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(relativePath)))
    }

    /// A JSON file under `Fixtures/`, decoded with Foundation (test vectors are trusted input).
    static func fixtureJSON(_ relativePath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent(relativePath)))
    }

    /// Bytes from a hex string; traps on malformed hex (test vectors only).
    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(hex.utf8.count / 2)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            result.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        }
        return result
    }

    /// A clock pinned at `seconds` since the epoch.
    static func pinnedClock(_ seconds: Double) -> @Sendable () -> Date {
        let date = Date(timeIntervalSince1970: seconds)
        return { date }
    }

    /// The fixture manifest (`Fixtures/tokens/manifest.json`).
    struct Manifest: Decodable {
        struct Case: Decodable, CustomTestStringConvertible {
            struct Options: Decodable {
                var types: [String]?
                var require: [String]?
            }
            var name: String
            var token: String
            var expect: String
            var description: String
            var options: Options?
            var testDescription: String { name }
        }
        var now: Double
        var issuer: String
        var audience: String
        var jwks: String
        var cases: [Case]
    }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(try fixture("tokens/manifest.json")))
    }

    /// The main fixture key set.
    static func fixtureKeySet() throws -> JWKSet {
        try JWKSet(json: try fixture("jwks/simbee.jwks.json"))
    }

    /// A verifier configured as the manifest describes, with optional per-case options, over the
    /// main fixture key set unless `keys` is given.
    static func manifestVerifier(
        _ manifest: Manifest,
        options: Manifest.Case.Options? = nil,
        keys: (any JWTKeySource)? = nil
    ) throws -> JWTVerifier {
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        claims.clock = pinnedClock(manifest.now)
        claims.acceptedTypes = options?.types ?? []
        claims.requiredClaims = options?.require ?? []
        let keys = try keys ?? fixtureKeySet()
        return try JWTVerifier(keys: keys, configuration: .init(claims: claims))
    }

    /// Runs `verify` and returns the error code name, or `"valid"`.
    static func outcome(_ verifier: JWTVerifier, _ token: String) async -> String {
        do {
            _ = try await verifier.verify(token)
            return "valid"
        } catch {
            return error.code.name
        }
    }

    /// The error `verify` throws for `token`, or `nil` when it verifies.
    static func refusal(_ token: String, _ verifier: JWTVerifier) async -> JWTError? {
        do {
            _ = try await verifier.verify(token)
            return nil
        } catch {
            return error
        }
    }

    /// Expects `verify` to refuse `token` with exactly `expected`, or to accept it when `expected` is nil.
    static func expect(
        _ token: String,
        _ verifier: JWTVerifier,
        _ expected: JWTError.Code?,
        _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let error = await refusal(token, verifier)
        #expect(
            error?.code == expected,
            "\(comment?.rawValue ?? "") → \(error?.description ?? "valid")",
            sourceLocation: sourceLocation
        )
    }
}
