extension StringProtocol {
    /// The string with ASCII `A–Z` lowercased and every other character kept: for protocol tokens
    /// (media types, cache directives, month names) whose case-insensitivity is ASCII-only.
    var asciiLowercased: String {
        String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}
