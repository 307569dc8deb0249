#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which JWK Set URLs a ``RemoteJWKS`` accepts, and where an issuer publishes its set.
package enum JWKSURLPolicy {
    /// `<issuer>/.well-known/jwks.json`, with a trailing slash of the issuer ignored.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` when the issuer has a
    ///   query or a fragment, which the path would land inside.
    static func wellKnownURL(issuer: String) throws(JWTError) -> String {
        guard !issuer.contains("?"), !issuer.contains("#") else {
            throw JWTError(.invalidConfiguration, "issuer must not carry a query or a fragment")
        }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        return base + "/.well-known/jwks.json"
    }

    /// Accepts absolute `https` URLs, and `http` for loopback hosts or with the opt-in.
    ///
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` for anything else, or for
    ///   a URL that carries credentials.
    static func validate(url: String, allowsInsecureHTTP: Bool) throws(JWTError) {
        try validate(url, naming: "JWKS URL", allowsInsecureHTTP: allowsInsecureHTTP, allowsQueryAndFragment: true)
    }

    /// The one check of a URL this package sends requests to (the JWK Set's, and the token
    /// client's base URL): absolute, with a host, a port (when given) from 1 to 65535, no
    /// credentials, `https`, or `http` for loopback hosts or with the opt-in.
    ///
    /// - Parameters:
    ///   - url: The URL.
    ///   - subject: What the URL is, for the messages (`JWKS URL`, `base URL`).
    ///   - allowsInsecureHTTP: Whether `http` is accepted for hosts other than loopback.
    ///   - allowsQueryAndFragment: Whether a query or a fragment is accepted.
    /// - Throws: ``JWTError`` with ``JWTError/Code/invalidConfiguration`` naming what is wrong.
    package static func validate(
        _ url: String,
        naming subject: String,
        allowsInsecureHTTP: Bool,
        allowsQueryAndFragment: Bool
    ) throws(JWTError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.asciiLowercased,
            let host = parsed.host, !host.isEmpty
        else {
            throw JWTError(.invalidConfiguration, "\(subject) must be an absolute http(s) URL")
        }
        // A port past 65535 would trap where the HTTP client narrows it to 16 bits, and port 0
        // reaches no server.
        let port = writtenPort(of: url)
        if !port.isEmpty {
            guard let number = Int(port), (1...65_535).contains(number) else {
                throw JWTError(.invalidConfiguration, "\(subject) must have a port from 1 to 65535")
            }
        }
        guard parsed.user == nil, parsed.password == nil else {
            throw JWTError(.invalidConfiguration, "\(subject) must not carry credentials")
        }
        guard allowsQueryAndFragment || (parsed.query == nil && parsed.fragment == nil) else {
            throw JWTError(.invalidConfiguration, "\(subject) must not carry a query or a fragment")
        }
        switch scheme {
        case "https":
            return
        case "http":
            guard isLoopback(host) || allowsInsecureHTTP else {
                throw JWTError(.invalidConfiguration, "\(subject) must use https (plain http only for loopback hosts)")
            }
        default:
            throw JWTError(.invalidConfiguration, "\(subject) must use https")
        }
    }

    /// The port as written in `url`'s authority, empty when there is none. Read from the text because
    /// `URL.port` reads a port too large for `Int` as no port at all, which would mean the default.
    private static func writtenPort(of url: String) -> Substring {
        guard let start = url.firstRange(of: "://")?.upperBound else { return "" }
        let authority = url[start...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        // An IPv6 literal holds colons of its own: the port can only follow its closing bracket.
        let afterHost = hostAndPort.hasPrefix("[") ? hostAndPort.drop { $0 != "]" }.dropFirst() : hostAndPort
        guard let colon = afterHost.lastIndex(of: ":") else { return "" }
        return afterHost[afterHost.index(after: colon)...]
    }

    /// `localhost`, `::1`, or an IPv4 address in 127.0.0.0/8 (a host name such as `127.example.com`
    /// is not loopback).
    package static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) }),
            let first = UInt8(octets[0]), first == 127
        else { return false }
        return octets.dropFirst().allSatisfy { UInt8($0) != nil }
    }
}
