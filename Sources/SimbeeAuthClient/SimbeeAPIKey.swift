#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Simbee API key, the long-lived credential that ``SimbeeTokenProvider`` exchanges for tokens.
///
/// The key is kept out of every text the type can produce: `description`, `debugDescription`,
/// string interpolation, `dump` and the debugger's mirror all show `SimbeeAPIKey(redacted)`, so a
/// configuration struct that holds one can be logged. Only the exchange itself reads the key.
///
/// ```swift
/// let key = try SimbeeAPIKey(environmentVariable: "SIMBEE_API_KEY")
/// let provider = try SimbeeTokenProvider(apiKey: key)
/// ```
public struct SimbeeAPIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key itself: read only to build the exchange request.
    let secret: String

    /// The longest key accepted, in bytes.
    static let maximumLength = 4_096

    /// A key given as a value, for keys that come from a secret store.
    ///
    /// - Parameter value: The key. It must be 1 to 4,096 characters of printable ASCII without
    ///   spaces: a key read from a file with its trailing newline is refused rather than sent.
    /// - Throws: ``SimbeeAuthError`` with ``SimbeeAuthError/Code/invalidConfiguration`` for an empty,
    ///   overlong or otherwise unacceptable key. The message never quotes the key.
    public init(_ value: String) throws(SimbeeAuthError) {
        guard !value.isEmpty else {
            throw SimbeeAuthError(.invalidConfiguration, "the API key is empty")
        }
        guard value.utf8.count <= Self.maximumLength else {
            throw SimbeeAuthError(.invalidConfiguration, "the API key is longer than \(Self.maximumLength) bytes")
        }
        guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw SimbeeAuthError(
                .invalidConfiguration,
                "the API key holds a space, control or non-ASCII character (a trailing newline?)"
            )
        }
        self.secret = value
    }

    /// The key held by an environment variable of this process, the usual way to hand a service
    /// its credentials.
    ///
    /// - Parameter name: The variable's name, such as `SIMBEE_API_KEY`.
    /// - Throws: ``SimbeeAuthError`` with ``SimbeeAuthError/Code/invalidConfiguration`` when the
    ///   variable is not set or its value is not an acceptable key (see ``init(_:)``). The message
    ///   names the variable, never its value.
    public init(environmentVariable name: String) throws(SimbeeAuthError) {
        try self.init(environmentVariable: name, in: ProcessInfo.processInfo.environment)
    }

    /// The key held by `environment[name]`; see ``init(environmentVariable:)``.
    init(environmentVariable name: String, in environment: [String: String]) throws(SimbeeAuthError) {
        guard let value = environment[name] else {
            throw SimbeeAuthError(.invalidConfiguration, "the environment variable \(name) is not set")
        }
        do {
            try self.init(value)
        } catch {
            throw SimbeeAuthError(.invalidConfiguration, "\(name): \(error.message)")
        }
    }

    /// `SimbeeAPIKey(redacted)`.
    public var description: String { "SimbeeAPIKey(redacted)" }

    /// `SimbeeAPIKey(redacted)`.
    public var debugDescription: String { description }

    /// A mirror with no children, so that `dump` and debuggers show no key.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
