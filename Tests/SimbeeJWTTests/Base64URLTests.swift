import Testing
@testable import SimbeeJWT

@Suite("Strict base64url (RFC 4648 §5)")
struct Base64URLTests {
    @Test("RFC 4648 §10 test vectors round-trip in the URL alphabet without padding")
    func rfc4648Vectors() throws {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(try Base64URL.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
    }

    @Test("bytes that need the URL alphabet encode with - and _")
    func urlAlphabet() throws {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64URL.encode(bytes) == "-_-_")
        #expect(try Base64URL.decode(Array("-_-_".utf8)) == bytes)
    }

    @Test("every length 0…64 of every byte pattern round-trips")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            for _ in 0..<8 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let encoded = Base64URL.encode(bytes)
                #expect(!encoded.contains("="))
                #expect(try Base64URL.decode(Array(encoded.utf8)) == bytes)
            }
        }
    }

    @Test("padding, the standard alphabet and whitespace are refused", arguments: [
        "Zg==", "Zm8=", "+/+/", "////", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\0", "Zm9v.", "Zm9v\r",
    ])
    func refusesForeignCharacters(_ input: String) {
        #expect(throws: Base64URL.DecodingError.self) { try Base64URL.decode(Array(input.utf8)) }
    }

    @Test("a foreign byte at any position of any length is refused, whichever group or tail it falls in")
    func refusesForeignByteAtEveryPosition() throws {
        // Lengths 2…70 (up to 17 groups) put the byte at every place of the four-character loop, in
        // the last whole group and in both tails. Its neighbours are alphabet characters; a cut of
        // "QUJD…" may leave non-zero trailing bits, but an invalid character is reported first.
        let foreign: [UInt8] = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "/"), 0x00, 0x7F, 0x80, 0xFF]
        for length in 2...70 where length % 4 != 1 {
            let valid = Array(String(repeating: "QUJD", count: 18).utf8.prefix(length))
            for position in 0..<length {
                for byte in foreign {
                    var text = valid
                    text[position] = byte
                    #expect(throws: Base64URL.DecodingError.invalidCharacter) { try Base64URL.decode(text) }
                }
            }
        }
    }

    @Test("decoding a segment of a larger buffer reads that segment alone and decodes exactly its bytes")
    func decodeReadsOnlyItsSegment() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Array(Base64URL.encode(bytes).utf8)
            // The segment sits between bytes outside the alphabet, which must not be read.
            let token = Array("..".utf8) + encoded + Array("==".utf8)
            let decoded = try Base64URL.decode(token.span.extracting(2..<(2 + encoded.count)))
            #expect(decoded == bytes, "length \(length)")
            #expect(decoded.count == Base64URL.decodedLength(ofEncodedLength: encoded.count))
        }
    }

    @Test("a length of 1 mod 4 is refused", arguments: ["A", "Zm9vY", "Zm9vYmFyZ"])
    func refusesImpossibleLength(_ input: String) {
        #expect(throws: Base64URL.DecodingError.invalidLength) { try Base64URL.decode(Array(input.utf8)) }
    }

    @Test("non-zero trailing bits are refused (only the canonical encoding decodes)")
    func refusesNonCanonical() throws {
        // "Zg" is the canonical encoding of "f"; "Zh" … "Zv" carry the same byte with stray low bits.
        #expect(try Base64URL.decode(Array("Zg".utf8)) == [0x66])
        for last in "hijklmnopqrstuv" {
            #expect(throws: Base64URL.DecodingError.nonZeroTrailingBits) { try Base64URL.decode(Array("Z\(last)".utf8)) }
        }
        // Three characters: the last must have its low two bits clear.
        #expect(try Base64URL.decode(Array("Zm8".utf8)) == Array("fo".utf8))
        for last in "9-_" {
            #expect(throws: Base64URL.DecodingError.nonZeroTrailingBits) { try Base64URL.decode(Array("Zm\(last)".utf8)) }
        }
    }

    @Test("every accepted encoding re-encodes to itself")
    func decodedSegmentsReencode() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var accepted = 0
        for _ in 0..<2000 {
            let length = Int.random(in: 0...12, using: &generator)
            let input = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            if let decoded = try? Base64URL.decode(input) {
                accepted += 1
                #expect(Array(Base64URL.encode(decoded).utf8) == input)
            }
        }
        #expect(accepted > 100)
    }
}
