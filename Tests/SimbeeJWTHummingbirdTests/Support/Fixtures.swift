import Foundation
@_spi(Testing) import SimbeeJWT

/// The repository's fixture tokens and key set (`Fixtures/`, see `Fixtures/README.md`).
enum Fixtures {
    /// `Fixtures/`, found from this file's location so tests run from any working directory.
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // SimbeeJWTHummingbirdTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("Fixtures")

    /// The repository root.
    static var repositoryRoot: URL { folder.deletingLastPathComponent() }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(relativePath)))
    }

    /// `Fixtures/tokens/manifest.json`.
    struct Manifest: Decodable, Sendable {
        struct Case: Decodable, Sendable {
            struct Options: Decodable, Sendable {
                var types: [String]?
                var require: [String]?
            }
            var name: String
            var token: String
            var expect: String
            var options: Options?
        }
        var now: Double
        var issuer: String
        var audience: String
        var cases: [Case]

        func token(_ name: String) -> String {
            guard let found = cases.first(where: { $0.name == name }) else {
                fatalError("no fixture case \(name)")
            }
            return found.token
        }
    }

    static let manifest: Manifest = {
        do {
            return try JSONDecoder().decode(Manifest.self, from: Data(try bytes("tokens/manifest.json")))
        } catch {
            fatalError("cannot read the fixture manifest: \(error)")
        }
    }()

    /// The main fixture key set document (`jwks/simbee.jwks.json`).
    static func keySetDocument() throws -> [UInt8] {
        try bytes("jwks/simbee.jwks.json")
    }

    /// A verifier configured as the manifest describes (issuer, audience, pinned clock, every
    /// supported algorithm, `kid` required) over keys fetched from `jwksURL` over HTTP. Outage tests
    /// pass a short connect timeout so a refused connection is given up quickly.
    static func verifier(jwksURL: String, connectTimeout: Duration = .seconds(2)) throws -> JWTVerifier {
        var claims = ClaimsPolicy(issuer: manifest.issuer, audiences: [manifest.audience])
        let now = Date(timeIntervalSince1970: manifest.now)
        claims.clock = { now }
        var configuration = RemoteJWKS.Configuration()
        configuration.connectTimeout = connectTimeout
        let keys = try RemoteJWKS(url: jwksURL, configuration: configuration)
        return try JWTVerifier(keys: keys, configuration: .init(claims: claims))
    }
}
