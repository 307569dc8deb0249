import Logging
import NIOConcurrencyHelpers

/// A swift-log handler that keeps every message, so tests can assert what the middleware logged.
final class CapturedLogs: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let entries = NIOLockedValueBox<[Entry]>([])

    /// A logger whose output lands here.
    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    var all: [Entry] { entries.withLockedValue { $0 } }

    /// The entries that carry the middleware's reason code.
    var refusals: [Entry] { all.filter { $0.metadata["simbee.auth.reason"] != nil } }

    func clear() {
        entries.withLockedValue { $0.removeAll() }
    }

    fileprivate func append(_ entry: Entry) {
        entries.withLockedValue { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            for (key, value) in event.metadata ?? [:] { merged[key] = value }
            sink.append(
                Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })
            )
        }
    }
}
