import Foundation
import PropertyBased
import Testing

@testable import SimbeeJWT

/// Base64url (RFC 4648 §5, unpadded as RFC 7515 §2 uses it) as properties over random input, with
/// Foundation's base64 as the independent reference (translated to the URL alphabet).
@Suite("Properties: base64url")
struct Base64URLProperties {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...200)
    /// Strings over the URL alphabet only, of any length (including the impossible `4k + 1`).
    static let alphabetText = Gen<Int>.int(in: 0...63).array(of: 0...120).map { $0.map { alphabet[$0] } }

    @Test("encode agrees with Foundation, and decode(encode(bytes)) == bytes")
    func roundTrip() async {
        await propertyCheck(count: 500, input: Self.bytes) { bytes throws in
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == TokenMinter.base64URL(bytes))
            #expect(encoded.utf8.count == (4 * bytes.count + 2) / 3)
            #expect(encoded.utf8.allSatisfy { Self.alphabet.contains($0) })
            #expect(try Base64URL.decode(Array(encoded.utf8)) == bytes)
            #expect(Base64URL.decodedLength(ofEncodedLength: encoded.utf8.count) == bytes.count)
        }
    }

    @Test("over the alphabet, decode accepts exactly the canonical encodings, and agrees with Foundation on them")
    func acceptsExactlyCanonical() async {
        await propertyCheck(count: 1000, input: Self.alphabetText) { text in
            let reference = Self.foundationDecode(text)
            // Canonical: Foundation decodes it, and re-encoding what it decoded gives the same text.
            let canonical =
                reference.map { TokenMinter.base64URL($0) == String(decoding: text, as: UTF8.self) } ?? false
            do {
                let decoded = try Base64URL.decode(text)
                #expect(canonical, "accepted a non-canonical encoding")
                #expect(decoded == reference)
            } catch let error as Base64URL.DecodingError {
                #expect(!canonical, "refused a canonical encoding: \(error)")
                #expect(error == (text.count % 4 == 1 ? .invalidLength : .nonZeroTrailingBits))
            }
        }
    }

    @Test("any byte outside the alphabet (=, +, /, whitespace, NUL, non-ASCII …) is refused")
    func refusesForeignBytes() async {
        let foreign = Gen<UInt8>.value(in: 0...255).filter { !Self.alphabet.contains($0) }
        let input = zip(Self.bytes, foreign, Gen<Int>.int(in: 0...1000))
        await propertyCheck(count: 1000, input: input) { bytes, byte, position in
            var text = Array(Base64URL.encode(bytes).utf8)
            text.insert(byte, at: position % (text.count + 1))
            let expected: Base64URL.DecodingError = text.count % 4 == 1 ? .invalidLength : .invalidCharacter
            #expect(throws: expected) { try Base64URL.decode(text) }
        }
    }

    @Test("one changed character never decodes to the same bytes (one encoding per byte string)")
    func injective() async {
        let input = zip(Self.bytes.filter { !$0.isEmpty }, Gen<Int>.int(in: 0...1000), Gen<Int>.int(in: 1...63))
        await propertyCheck(count: 1000, input: input) { bytes, position, shift in
            var text = Array(Base64URL.encode(bytes).utf8)
            let index = position % text.count
            let value = Self.alphabet.firstIndex(of: text[index])!
            text[index] = Self.alphabet[(value + shift) % 64]
            if let decoded = try? Base64URL.decode(text) {
                #expect(decoded != bytes)
            }
        }
    }

    @Test("decodedLength: nil exactly for 4k + 1 characters, ⌊3n/4⌋ bytes otherwise")
    func decodedLength() async {
        await propertyCheck(count: 1000, input: Gen<Int>.int(in: 0...(1 << 24))) { count in
            let length = Base64URL.decodedLength(ofEncodedLength: count)
            #expect(length == (count % 4 == 1 ? nil : count * 3 / 4))
        }
    }

    /// Foundation's (padded, standard-alphabet) decoder applied to URL-alphabet text.
    static func foundationDecode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 != 1 else { return nil }
        let standard = text.map {
            $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0
        }
        let padded = standard + [UInt8](repeating: UInt8(ascii: "="), count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: Data(padded)).map { Array($0) }
    }
}
