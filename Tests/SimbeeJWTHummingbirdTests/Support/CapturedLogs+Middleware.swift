import SimbeeJWTTestSupport

extension CapturedLogs {
    /// The entries that carry the middleware's reason code.
    var refusals: [Entry] { all.filter { $0.metadata["simbee.auth.reason"] != nil } }
}
