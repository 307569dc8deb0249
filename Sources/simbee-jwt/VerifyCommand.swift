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

    @Option(name: .long, help: ArgumentHelp("JWK Set file to verify against.", valueName: "file"))
    var jwks: String

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
            Output.standardOutput(ResultLine.verified(verified) + "\n")
            return true
        } catch {
            Output.standardOutput(ResultLine.rejected(code: error.code.name, message: error.message) + "\n")
            return false
        }
    }

    private func makeVerifier() throws -> JWTVerifier {
        let document: [UInt8]
        do {
            document = try FileBytes.read(path: jwks, limit: JWKSet.Limits().maxBytes)
        } catch {
            throw SetupError(message: "cannot read JWK Set \(jwks): \(error.message)")
        }
        let keySet: JWKSet
        do {
            keySet = try JWKSet(json: document)
        } catch {
            throw SetupError(message: "unusable JWK Set \(jwks): \(error.message)")
        }
        for skipped in keySet.skippedKeys {
            Output.standardError("simbee-jwt: warning: \(skipped)\n")
        }

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
            return try JWTVerifier(keys: keySet, configuration: configuration)
        } catch {
            throw SetupError(message: error.message)
        }
    }
}
