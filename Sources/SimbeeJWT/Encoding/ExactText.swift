/// Text compared byte for byte.
///
/// Swift's `String` equality and hashing follow Unicode canonical equivalence: `"caf\u{E9}"` equals
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
        lhs.string.utf8.elementsEqual(rhs.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if hashed == nil {
            for byte in string.utf8 { hasher.combine(byte) }
        }
    }
}

extension String {
    /// Whether the two strings have the same UTF-8 bytes (no Unicode normalization).
    func isExactly(_ other: String) -> Bool {
        utf8.elementsEqual(other.utf8)
    }
}
