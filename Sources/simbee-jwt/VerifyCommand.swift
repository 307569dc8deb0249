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
            \\n or \\r\\n is removed and nothing else is trimmed. Results are written out before the \
            tool waits for more input, so a reader sees each result without waiting for the end. \
            Exit status: 0 when every token verified, 1 when any was rejected or standard input held \
            no line at all, 2 for a usage or setup error, 3 when standard output could not be written \
            (the tool stops reading at once) or standard input could not be read.
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
        parsing: .unconditional,
        help: ArgumentHelp(
            "Least time between refreshes for unknown kids (URL sources; default 30).",
            valueName: "SECONDS"
        )
    )
    var jwksCooldown: DecimalArgument?

    @Option(
        name: .customLong("jwks-timeout"),
        parsing: .unconditional,
        help: ArgumentHelp("Longest time one JWK Set request may take (URL sources; default 5).", valueName: "SECONDS")
    )
    var jwksTimeout: DecimalArgument?

    @Option(name: .long, help: ArgumentHelp("Required exact iss.", valueName: "ISS"))
    var issuer: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Accepted audience (repeatable; any may match). Without one, a token that has aud is rejected.",
            valueName: "AUD"
        )
    )
    var audience: [String] = []

    @Flag(
        name: .long,
        help: "Add to each rejected token's line the claims its payload holds, as \"unverified_claims\"."
    )
    var verbose = false

    @Flag(
        name: .customLong("skip-audience-check"),
        help: "Accept tokens whatever their aud (only without --audience): tokens issued for other services pass."
    )
    var skipAudienceCheck = false

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
        parsing: .unconditional,
        help: ArgumentHelp("Clock skew tolerated for exp and nbf (default 60, at most 300).", valueName: "SECONDS")
    )
    var leeway: DecimalArgument?

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp("Pin the clock to this Unix time instead of the system clock.", valueName: "UNIX_SECONDS")
    )
    var now: DecimalArgument?

    @Option(name: .long, help: ArgumentHelp("Claim that must be present (repeatable).", valueName: "CLAIM"))
    var require: [String] = []

    @Argument(
        help: ArgumentHelp("The token, or - (or nothing) to read tokens from standard input.", valueName: "TOKEN")
    )
    var token: String?

    func run() async throws {
        let verifier = try makeVerifier()
        let output = BufferedOutput()
        var allValid = true
        if let token, token != "-" {
            allValid = try await verifyAndReport(token, with: verifier, to: output)
        } else {
            var reader = LineReader(
                descriptor: 0,
                maxLineBytes: JWTVerifier.Configuration.defaultMaxTokenBytes,
                beforeRead: output.flush
            )
            var lines = 0
            while let line = try reader.next() {
                lines += 1
                switch line {
                case .text(let token):
                    let valid = try await verifyAndReport(
                        token,
                        with: verifier,
                        to: output
                    )
                    allValid = allValid && valid
                case .tooLong:
                    let limit = JWTVerifier.Configuration.defaultMaxTokenBytes
                    try output.writeLine(
                        ResultLine.rejected(code: "token_too_large", message: "token is more than \(limit) bytes")
                    )
                    allValid = false
                }
            }
            // Nothing verified is not "every token verified": `printf %s "$TOKEN" | simbee-jwt
            // verify … && allow` must not allow an empty $TOKEN.
            if lines == 0 {
                Output.standardError("simbee-jwt: no token: standard input held no line\n")
                allValid = false
            }
        }
        try output.flush()
        if !allValid { throw ExitCode(1) }
    }

    /// Verifies one token and queues its result line; returns whether it verified.
    private func verifyAndReport(_ token: String, with verifier: JWTVerifier, to output: BufferedOutput)
        async throws(OutputError) -> Bool
    {
        let verified: VerifiedJWT
        do {
            verified = try await verifier.verify(token)
        } catch {
            try output.writeLine(
                verbose
                    ? ResultLine.rejected(code: error.code.name, message: error.message, claimsOf: token)
                    : ResultLine.rejected(code: error.code.name, message: error.message)
            )
            return false
        }
        try output.writeLine { ResultLine.verified(verified, into: &$0) }
        return true
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

        guard !(skipAudienceCheck && !audience.isEmpty) else {
            throw SetupError(message: "--skip-audience-check and --audience contradict each other: give one")
        }
        var claims = ClaimsPolicy(
            issuer: issuer,
            audiences: audience,
            skipsAudienceCheck: skipAudienceCheck,
            requiredClaims: require,
            acceptedTypes: type
        )
        if let leeway {
            claims.leeway = try SetupError.duration(leeway, flag: "--leeway", range: "0 to 300")
        }
        if let argument = now {
            // The NumericDate range a token's own times are held to (1970 … 9999).
            guard let now = argument.value, now >= 0, now <= 253_402_300_799 else {
                throw SetupError(message: "--now must be a Unix time from 0 to 253402300799 (year 9999)")
            }
            let pinned = Date(timeIntervalSince1970: now)
            claims.clock = { pinned }
        }
        // A stream of tokens is mostly distinct ones: a token takes a cache entry only when it
        // comes a second time, so the others cost no cache memory.
        var tokenCache = JWTVerifier.Configuration.TokenCache()
        tokenCache.admission = .secondVerification
        let configuration = JWTVerifier.Configuration(
            algorithms: algorithms.isEmpty ? JWTAlgorithm.allSupported : algorithms,
            claims: claims,
            tokenCache: tokenCache
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
            do {
                location = try RemoteJWKS.wellKnownURL(issuer: issuer)
            } catch {
                throw SetupError(message: "--issuer cannot locate the JWK Set: \(error.message)")
            }
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
            configuration.unknownKeyCooldown = try SetupError.duration(
                jwksCooldown,
                flag: "--jwks-cooldown",
                range: "0 to 3600"
            )
        }
        if let jwksTimeout {
            configuration.requestTimeout = try SetupError.duration(
                jwksTimeout,
                flag: "--jwks-timeout",
                range: "more than 0 and at most 120",
                accepting: Duration.isAcceptableRequestTimeout
            )
            configuration.connectTimeout = min(configuration.connectTimeout, configuration.requestTimeout)
        }
        do {
            return try RemoteJWKS(url: location, configuration: configuration, logger: Diagnostics.logger)
        } catch {
            throw SetupError(message: "cannot use the JWK Set at \(location): \(error.message)")
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
