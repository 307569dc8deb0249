/// Renders short identifiers for error messages and diagnostics.
enum DiagnosticText {
    /// A bounded, printable rendering of a name for a message: its first 40 Unicode scalars (then
    /// `…`), with every scalar that is not visible text replaced by `?`: control characters, format
    /// characters (bidirectional overrides, zero-width spaces) and line or paragraph separators, so
    /// that a name can neither break a log line nor reorder the text around it. Names come from
    /// configuration and key sets, and from a payload's member names in a `decodeClaims` path.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(40) {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                result.unicodeScalars.append("?")
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > 40 ? result + "…" : result
    }
}
