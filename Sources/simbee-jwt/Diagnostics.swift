import Logging

/// The tool's log output: warnings and errors of the JWKS cache, on stderr (stdout carries only
/// result lines), as `simbee-jwt: <level>: <message> <metadata>`.
enum Diagnostics {
    static let logger: Logger = Logger(label: "simbee-jwt") { _ in StandardErrorHandler() }

    private struct StandardErrorHandler: LogHandler {
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            for (key, value) in event.metadata ?? [:] { merged[key] = value }
            let details = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            Output.standardError(
                "simbee-jwt: \(event.level): \(event.message)\(details.isEmpty ? "" : " " + details)\n"
            )
        }
    }
}
