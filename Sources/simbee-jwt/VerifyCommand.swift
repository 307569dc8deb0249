import ArgumentParser
@_spi(Testing) import SimbeeJWT

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `simbee-jwt verify`: one JSON line per token, exit 0 when all verified, 1 when any was rejected.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify tokens against a JWK Set and print one JSON line per token.",
        discussion: """
            With no TOKEN (or with -), tokens are read from standard input, one per line; a trailing \
            \\n or \\r\\n is removed and nothing else is trimmed. Each result line is written as soon \
            as its token is read. Exit status: 0 when every token verified, 1 when any was rejected, \
            2 for a usage or setup error.
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "JWK Set file, or an https URL (http only for loopback) fetched and cached; may be left out when --issuer is a URL.",
            valueName: "file-or-url"
        )
    )
    var jwks: String?

    @Option(
        name: .customLong("jwks-cooldown"),
        help: ArgumentHelp(
            "Least time between refreshes for unknown kids (URL sources; default 30).",
            valueName: "SECONDS"
        )
    )
    var jwksCooldown: Double?

    @Option(
        name: .customLong("jwks-timeout"),
        help: ArgumentHelp("Longest time one JWK Set request may take (URL sources; default 5).", valueName: "SECONDS")
    )
    var jwksTimeout: Double?

    @Option(name: .long, help: ArgumentHelp("Required exact iss.", valueName: "ISS"))
    var issuer: String?

    @Option(name: .long, help: ArgumentHelp("Accepted audience (repeatable; any may match).", valueName: "AUD"))
    var audience: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Allowed algorithm: ES256, EdDSA or Ed25519 (repeatable; default all).", valueName: "ALG")
    )
    var algorithm: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Accepted header typ (repeatable); when given, typ is required.", valueName: "TYP")
    )
    var type: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Clock skew tolerated for exp and nbf (default 60, at most 300).", valueName: "SECONDS")
    )
    var leeway: Double?

    @Option(
        name: .long,
        help: ArgumentHelp("Pin the clock to this Unix time instead of the system clock.", valueName: "UNIX_SECONDS")
    )
    var now: Double?

    @Option(name: .long, help: ArgumentHelp("Claim that must be present (repeatable).", valueName: "CLAIM"))
    var require: [String] = []

    @Argument(
        help: ArgumentHelp("The token, or - (or nothing) to read tokens from standard input.", valueName: "TOKEN")
    )
    var token: String?

    func run() async throws {
        let verifier = try makeVerifier()
        var allValid = true
        if let token, token != "-" {
            allValid = await verifyAndReport(token, with: verifier)
        } else {
            var reader = LineReader(descriptor: 0, maxLineBytes: JWTVerifier.Configuration.defaultMaxTokenBytes)
            while let line = reader.next() {
                switch line {
                case .bytes(let bytes):
                    let valid = await verifyAndReport(String(decoding: bytes, as: UTF8.self), with: verifier)
                    allValid = allValid && valid
                case .tooLong:
                    let limit = JWTVerifier.Configuration.defaultMaxTokenBytes
                    Output.standardOutput(
                        ResultLine.rejected(code: "token_too_large", message: "token is more than \(limit) bytes")
                            + "\n"
                    )
                    allValid = false
                }
            }
        }
        if !allValid { throw ExitCode(1) }
    }

    /// Verifies one token and prints its result line; returns whether it verified.
    private func verifyAndReport(_ token: String, with verifier: JWTVerifier) async -> Bool {
        do {
            let verified = try await verifier.verify(token)
            Output.standardOutput(try ResultLine.verified(verified) + "\n")
            return true
        } catch {
            Output.standardOutput(ResultLine.rejected(code: error.code.name, message: error.message) + "\n")
            return false
        }
    }

    private func makeVerifier() throws -> JWTVerifier {
        let keys = try makeKeySource()
        var algorithms: [JWTAlgorithm] = []
        for name in algorithm {
            guard let parsed = JWTAlgorithm(name: name) else {
                throw SetupError(message: "unsupported --algorithm \(name) (use ES256, EdDSA or Ed25519)")
            }
            algorithms.append(parsed)
        }

        var claims = ClaimsPolicy(issuer: issuer, audiences: audience, requiredClaims: require, acceptedTypes: type)
        if let leeway {
            guard leeway.isFinite else { throw SetupError(message: "--leeway must be a finite number of seconds") }
            claims.leeway = .seconds(leeway)
        }
        if let now {
            guard now.isFinite else { throw SetupError(message: "--now must be a finite Unix time") }
            let pinned = Date(timeIntervalSince1970: now)
            claims.clock = { pinned }
        }
        let configuration = JWTVerifier.Configuration(
            algorithms: algorithms.isEmpty ? JWTAlgorithm.allSupported : algorithms,
            claims: claims
        )
        do {
            return try JWTVerifier(keys: keys, configuration: configuration)
        } catch {
            throw SetupError(message: error.message)
        }
    }

    /// The key source: a JWK Set file read now, or a URL (given, or the issuer's well-known path)
    /// fetched on first use and cached for every token that follows.
    private func makeKeySource() throws -> any JWTKeySource {
        let location: String
        if let jwks {
            location = jwks
        } else if let issuer, Self.isURL(issuer) {
            location = RemoteJWKS.wellKnownURL(issuer: issuer)
        } else {
            throw SetupError(message: "--jwks is required unless --issuer is an https URL")
        }
        guard Self.isURL(location) else {
            guard jwksCooldown == nil, jwksTimeout == nil else {
                throw SetupError(message: "--jwks-cooldown and --jwks-timeout apply to URL sources only")
            }
            return try readKeySet(path: location)
        }

        var configuration = RemoteJWKS.Configuration()
        if let jwksCooldown {
            guard jwksCooldown.isFinite, jwksCooldown >= 0 else {
                throw SetupError(message: "--jwks-cooldown must be ≥ 0")
            }
            configuration.unknownKeyCooldown = .seconds(jwksCooldown)
        }
        if let jwksTimeout {
            guard jwksTimeout.isFinite, jwksTimeout > 0 else { throw SetupError(message: "--jwks-timeout must be > 0") }
            configuration.requestTimeout = .seconds(jwksTimeout)
            configuration.connectTimeout = min(configuration.connectTimeout, configuration.requestTimeout)
        }
        do {
            return try RemoteJWKS(url: location, configuration: configuration, logger: Diagnostics.logger)
        } catch {
            throw SetupError(message: "unusable JWK Set URL \(location): \(error.message)")
        }
    }

    private func readKeySet(path: String) throws -> JWKSet {
        let document: [UInt8]
        do {
            document = try FileBytes.read(path: path, limit: JWKSet.Limits().maxBytes)
        } catch {
            throw SetupError(message: "cannot read JWK Set \(path): \(error.message)")
        }
        let keySet: JWKSet
        do {
            keySet = try JWKSet(json: document)
        } catch {
            throw SetupError(message: "unusable JWK Set \(path): \(error.message)")
        }
        for skipped in keySet.skippedKeys {
            Output.standardError("simbee-jwt: warning: \(skipped)\n")
        }
        return keySet
    }

    private static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
    }
}
