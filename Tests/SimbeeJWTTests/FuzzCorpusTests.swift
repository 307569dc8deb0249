import Foundation
import SimbeeJWT
import Testing

@testable import SimbeeJWTFuzzChecks

/// Replays the committed fuzz corpus (`Fuzz/Corpus/<target>/`) through the same property checks the
/// libFuzzer driver runs, so every input the fuzzer found interesting is re-checked by `swift test`.
@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    static func corpus(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let directory = FuzzFixtures.root.appendingPathComponent("Fuzz/Corpus/\(target.rawValue)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test("every committed input satisfies its target's properties", arguments: FuzzTarget.allCases)
    func replay(_ target: FuzzTarget) async throws {
        let inputs = try Self.corpus(target)
        #expect(inputs.count >= 10, "the \(target.rawValue) corpus is nearly empty")
        var accepted = 0
        for input in inputs {
            do {
                if try await target.check(input.bytes) { accepted += 1 }
            } catch {
                Issue.record("\(target.rawValue)/\(input.name): \(error)")
            }
        }
        // Both outcomes occur, so the properties of acceptance are exercised, not only refusals.
        #expect(accepted > 0, "no \(target.rawValue) corpus input is accepted")
        #expect(accepted < inputs.count, "every \(target.rawValue) corpus input is accepted")
    }

    @Test("the verify check reaches a verified token from each valid fixture token, and not from the others")
    func verifySeedsReachVerification() async throws {
        for line in try String(
            contentsOf: FuzzFixtures.root.appendingPathComponent("Fixtures/tokens/valid.txt"),
            encoding: .utf8
        )
        .split(separator: "\n") {
            #expect(try await FuzzTarget.verify.check(Array(line.utf8)), "\(line.prefix(40))… did not verify")
        }
        let forged = "eyJhbGciOiJub25lIiwia2lkIjoiZXMyNTYtYSJ9.eyJzdWIiOiJ4In0.AAAA"
        #expect(try await FuzzTarget.verify.check(Array(forged.utf8)) == false)
    }

    @Test("a payload signed by the check with the fixture key verifies when its claims are valid")
    func signedPayloadVerifies() async throws {
        let payload = #"{"iss":"https://api.simbee.io","aud":"cl_fixture","exp":1796000300,"sub":"cu_1"}"#
        #expect(try await FuzzTarget.verify.check(Array(payload.utf8)))
        let expired = #"{"iss":"https://api.simbee.io","aud":"cl_fixture","exp":1795000000}"#
        #expect(try await FuzzTarget.verify.check(Array(expired.utf8)) == false)
    }

    @Test("the reference base64url decoder used as the oracle follows RFC 4648 §5 strictly")
    func referenceDecoder() {
        #expect(Base64URLChecks.referenceDecode(Array("Zm9vYmE".utf8)) == .success(Array("fooba".utf8)))
        #expect(Base64URLChecks.referenceDecode(Array("-_-_".utf8)) == .success([0xFB, 0xFF, 0xBF]))
        #expect(Base64URLChecks.referenceDecode(Array("Zh".utf8)) == .failure(.nonZeroTrailingBits))
        #expect(Base64URLChecks.referenceDecode(Array("Zm9vY".utf8)) == .failure(.invalidLength))
        #expect(Base64URLChecks.referenceDecode(Array("Zm9=".utf8)) == .failure(.invalidCharacter))
        #expect(Base64URLChecks.referenceDecode(Array("Zm+v".utf8)) == .failure(.invalidCharacter))
    }

    @Test("the \\u escape oracle finds lone surrogates, and passes pairs and other escapes")
    func surrogateOracle() {
        for lone in [
            #"["\ud800"]"#, #"["\udc00"]"#, #"["\ud800x"]"#, #"["\ud800\n"]"#, #"["\ud800\u0041"]"#, #"["a\udfff"]"#,
        ] {
            #expect(!JSONChecks.unicodeEscapesNameScalars(Array(lone.utf8)), "\(lone)")
        }
        for fine in [#"["\ud83d\ude00"]"#, #"["\u00e9\n\"\\"]"#, #"{"\u0041":"\\ud800"}"#, "[1]"] {
            #expect(JSONChecks.unicodeEscapesNameScalars(Array(fine.utf8)), "\(fine)")
        }
    }

    @Test("the twin-signature arithmetic: n − s and S + L")
    func scalarMath() {
        var one = [UInt8](repeating: 0, count: 32)
        one[31] = 1
        var nMinusOne = ScalarMath.p256OrderBigEndian
        nMinusOne[31] -= 1
        #expect(ByteMath.subtractBigEndian(ScalarMath.p256OrderBigEndian, one) == nMinusOne)
        #expect(ByteMath.subtractBigEndian(ScalarMath.p256OrderBigEndian, nMinusOne) == one)
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(ByteMath.addLittleEndian(zero, ScalarMath.ed25519Order) == ScalarMath.ed25519Order)
        var lPlusOne = ScalarMath.ed25519Order
        lPlusOne[0] += 1
        var oneLittle = zero
        oneLittle[0] = 1
        #expect(ByteMath.addLittleEndian(oneLittle, ScalarMath.ed25519Order) == lPlusOne)
    }
}
