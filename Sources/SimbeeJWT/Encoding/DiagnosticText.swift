/// Renders short identifiers for error messages and diagnostics.
enum DiagnosticText {
    /// A bounded, printable rendering of a name taken from configuration or a key set (never from a
    /// token): at most 40 characters, control characters replaced by `?`.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(40) {
            result.unicodeScalars.append(scalar.properties.generalCategory == .control ? "?" : scalar)
        }
        return text.unicodeScalars.count > 40 ? result + "…" : result
    }
}
