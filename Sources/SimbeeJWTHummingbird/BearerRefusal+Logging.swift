import HTTPTypes
import Logging

extension BearerRefusal {
    /// Logs the refusal at `logger`: the reason code, the status and the message, plus `extra`;
    /// never the token.
    func log(
        _ text: Logger.Message,
        to logger: Logger,
        level: Logger.Level,
        extra: Logger.Metadata = [:]
    ) {
        var metadata: Logger.Metadata = [
            "simbee.auth.reason": "\(reason)",
            "simbee.auth.status": "\(status.code)",
            "simbee.auth.message": "\(message)",
        ]
        metadata.merge(extra) { _, new in new }
        logger.log(level: level, text, metadata: metadata)
    }
}
