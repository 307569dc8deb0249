/// Text compared byte for byte.
///
/// Swift's `String` equality follows Unicode canonical equivalence: `"caf\u{E9}"` equals
/// `"cafe\u{301}"`, and `"O\u{212A}P"` (KELVIN SIGN) equals `"OKP"`. For identifiers read from
/// tokens and key sets (`kid`, member names, `kty`, `alg`, scopes) two different byte strings must
/// stay different, so every such comparison goes through UTF-8 bytes.
struct ExactText: Hashable, Sendable {
    /// The text.
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        lhs.string.isExactly(rhs.string)
    }

    func hash(into hasher: inout Hasher) {
        // Strings with the same bytes are canonically equivalent, so they hash alike: the `String`
        // hash is consistent with the byte equality above.
        hasher.combine(string)
    }
}

extension String {
    /// Whether the two strings have the same UTF-8 bytes (no Unicode normalization).
    func isExactly(_ other: String) -> Bool {
        utf8.span.hasSameBytes(as: other.utf8.span)
    }
}

extension String? {
    /// Whether both are `nil`, or both hold the same UTF-8 bytes.
    func isExactly(_ other: String?) -> Bool {
        switch (self, other) {
        case (nil, nil): true
        case (let left?, let right?): left.isExactly(right)
        default: false
        }
    }
}

extension [String] {
    /// Whether both hold the same strings, byte for byte, in the same order.
    func isExactly(_ other: [String]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.isExactly($1) }
    }
}

extension Span where Element == UInt8 {
    /// Whether both spans hold the same bytes.
    func hasSameBytes(as other: Span<UInt8>) -> Bool {
        guard count == other.count else { return false }
        for index in 0..<count where self[index] != other[index] {
            return false
        }
        return true
    }
}
