package import Logging
import NIOConcurrencyHelpers

/// A swift-log handler that keeps every message, so tests can assert what was logged.
package final class CapturedLogs: Sendable {
    package struct Entry: Sendable {
        package var level: Logger.Level
        package var message: String
        package var metadata: [String: String]
    }

    private let entries = NIOLockedValueBox<[Entry]>([])

    package init() {}

    /// A logger whose output lands here.
    package var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    package var all: [Entry] { entries.withLockedValue { $0 } }

    /// How many messages contain `text`, at `level` when one is given.
    package func count(containing text: String, level: Logger.Level? = nil) -> Int {
        all.filter { $0.message.contains(text) && (level == nil || $0.level == level) }.count
    }

    /// Forgets everything captured so far.
    package func clear() {
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
